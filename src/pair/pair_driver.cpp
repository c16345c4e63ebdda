#include "pair/pair_driver.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "ft/node_state.h"
#include "pair/pair_options.h"
#include "machine/core/error.h"

namespace ftvm::pair {

PairDriver::PairDriver(ft::FtNode& node, LogChannel channel, TasClaim& tas, ReadyHandler& handler)
    : node_(node),
      channel_(std::move(channel)),
      tas_(tas),
      handler_(handler),
      timer_(kTickPeriod),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_.valid()) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
  watch(timer_.fd());
  if (!channel_.closed()) watch(channel_.fd());
}

void PairDriver::watch(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
}

void PairDriver::step(ft::Event event) {
  queue_.push_back(std::move(event));
  run_queue();
}

void PairDriver::run_queue() {
  if (running_) return;  // an outer call is draining the queue
  running_ = true;
  while (!queue_.empty()) {
    ft::Event e = std::move(queue_.front());
    queue_.pop_front();
    node_.step(std::move(e));
    if (!node_.has_ready()) continue;
    ft::Ready ready = node_.ready();
    node_.advance();
    carry_out(ready);
  }
  running_ = false;
  channel_.flush();
}

void PairDriver::carry_out(const ft::Ready& r) {
  for (const auto& e : r.deliver) handler_.deliver(e);
  for (const auto& m : r.send) channel_.send(m);
  for (auto id : r.release) handler_.release(id);
  for (auto id : r.drop) handler_.drop(id);
  if (r.failover) spdlog::warn("ft {}: failover: {}", node_.pair().vm_name, *r.failover);
  if (r.tas_request) {
    ft::TasResult answer = tas_.ask(*r.tas_request);
    spdlog::info("ft: test-and-set {} as {}: {} ({})", r.tas_request->key, r.tas_request->claimant,
                 ft::to_string(answer), tas_.last_detail());
    queue_.push_back(ft::TasAnswerEvent{answer});
  }
  if (r.go_live) handler_.go_live();
  if (r.halt) handler_.halt(*r.halt);
  if (r.pause) paused_ = *r.pause;
  for (const auto& e : r.errors) spdlog::error("{}", e);
}

void PairDriver::service() {
  // The peer finished on purpose: nothing left to detect or decide.
  if (peer_finished_) return;
  // Frames before ticks: after this process was held up (a long slice, a
  // slow machine build), what the peer sent meanwhile proves it alive, and
  // the ticks that piled up must not declare it silent first.
  if (!channel_.closed()) {
    for (auto& frame : channel_.receive()) step(ft::FrameEvent{std::move(frame)});
  }
  for (std::uint64_t n = std::min(timer_.take_expirations(), max_tick_burst_); n > 0; --n) step(ft::TickEvent{});
  if (channel_.closed() && !peer_loss_reported_) {
    peer_loss_reported_ = true;
    if (handler_.peer_finished()) {
      peer_finished_ = true;
      return;
    }
    step(ft::PeerLostEvent{channel_.close_reason()});
  }
  channel_.flush();
}

bool PairDriver::await_first_ack(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (node_.acked() == 0 && !channel_.closed() && std::chrono::steady_clock::now() < deadline) {
    channel_.wait(kTickPeriod);
    for (auto& frame : channel_.receive()) step(ft::FrameEvent{std::move(frame)});
    channel_.flush();
    timer_.take_expirations();
  }
  return node_.acked() > 0;
}

void PairDriver::wait(std::chrono::milliseconds limit) {
  epoll_event ev[4];
  if (channel_.queued_bytes() > 0) {
    // Output waits for the socket: wake when it can take more, too.
    channel_.wait(std::min(limit, std::chrono::milliseconds(1)));
    return;
  }
  ::epoll_wait(epoll_.get(), ev, 4, static_cast<int>(limit.count()));
}

void PairDriver::linger(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!channel_.closed() && std::chrono::steady_clock::now() < deadline) {
    channel_.flush();
    channel_.receive();  // the peer's last words no longer matter
    channel_.wait(kTickPeriod);
  }
  close_channel("done");
}

void PairDriver::close_channel(const std::string& why) {
  peer_loss_reported_ = true;  // on purpose: not a failure
  channel_.close(why);
}

}  // namespace ftvm::pair
