#include "net/switch_server.h"

#include <poll.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "net/frame_summary.h"

namespace ftvm::net {

SwitchServer::SwitchServer(const SwitchOptions& options)
    : socket_path_(options.socket_path),
      listener_(listen_unix(options.socket_path)),
      trace_frames_(options.trace_frames) {
  if (options.gateway) {
    gateway_ = std::make_unique<SlirpGateway>(options.gateway_config,
                                              [this](FrameView f) { forward(kGatewayPort, f); });
    switch_.add_port(kGatewayPort);
  }
}

SwitchServer::~SwitchServer() {
  spdlog::info("switch: {} frames in, {} out, {} dropped on full ports, {} unrouted", counters_.frames_in,
               counters_.frames_out, counters_.dropped_full, counters_.dropped_unrouted);
  gateway_.reset();
  ::unlink(socket_path_.c_str());
}

void SwitchServer::run(int stop_fd) {
  std::vector<pollfd> fds;
  std::vector<PortId> client_ports;
  for (;;) {
    fds.clear();
    client_ports.clear();
    fds.push_back({stop_fd, POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    for (auto& [port, client] : clients_) {
      short events = POLLIN;
      if (client->link.wants_write()) events |= POLLOUT;
      fds.push_back({client->fd.get(), events, 0});
      client_ports.push_back(port);
    }
    int timeout_ms = -1;
    if (gateway_) gateway_->add_pollfds(fds, timeout_ms);
    if (gateway_ && gateway_->take_kick()) timeout_ms = 0;

    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    bool failed = n < 0 && errno != EINTR;
    if (failed) spdlog::warn("switch: poll failed: {}", std::strerror(errno));
    if (fds[0].revents & POLLIN) return;
    if (fds[1].revents & POLLIN) accept_clients();
    for (std::size_t i = 0; i < client_ports.size(); ++i)
      if (fds[2 + i].revents) service_client(client_ports[i], fds[2 + i].revents);
    if (gateway_) {
      gateway_->handle_pollfds(fds, n < 0);
      gateway_->run_due_timers();
    }
    flush_clients();
  }
}

void SwitchServer::accept_clients() {
  for (;;) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) return;  // EAGAIN: all accepted (other errors: try on the next round)
    tune_frame_socket(fd.get());
    PortId port = next_port_++;
    clients_.emplace(port, std::make_unique<Client>(std::move(fd)));
    switch_.add_port(port);
    spdlog::info("switch: port {} connected", port);
  }
}

void SwitchServer::service_client(PortId port, short revents) {
  auto it = clients_.find(port);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if ((revents & POLLOUT) && !c.link.flush()) return disconnect(port);
  if (!(revents & (POLLIN | POLLHUP | POLLERR))) return;
  std::vector<Frame> frames;
  bool alive = c.link.receive(frames);
  for (const auto& f : frames) forward(port, f);
  if (!alive) disconnect(port);
}

void SwitchServer::disconnect(PortId port) {
  switch_.remove_port(port);
  clients_.erase(port);
  spdlog::info("switch: port {} disconnected", port);
}

void SwitchServer::forward(PortId from, FrameView frame) {
  ++counters_.frames_in;
  std::vector<PortId> targets = switch_.route(from, frame);
  if (trace_frames_) trace(from, targets, frame);
  if (targets.empty()) ++counters_.dropped_unrouted;
  for (PortId to : targets) {
    if (to == kGatewayPort) {
      if (gateway_) gateway_->input(frame);
      ++counters_.frames_out;
      continue;
    }
    auto it = clients_.find(to);
    if (it == clients_.end()) continue;
    if (it->second->link.queue(frame)) {
      ++counters_.frames_out;
    } else {
      ++counters_.dropped_full;
      spdlog::debug("switch: port {} send buffer full; frame dropped", to);
    }
  }
}

void SwitchServer::trace(PortId from, const std::vector<PortId>& to, FrameView frame) const {
  spdlog::info("frame {} -> {}: {}", from, to.empty() ? std::string("none") : fmt::format("{}", fmt::join(to, ",")),
               summarize_frame(frame));
}

void SwitchServer::flush_clients() {
  std::vector<PortId> broken;
  for (auto& [port, client] : clients_)
    if (client->link.wants_write() && !client->link.flush()) broken.push_back(port);
  for (PortId p : broken) disconnect(p);
}

}  // namespace ftvm::net
