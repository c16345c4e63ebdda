#include "agent/agent_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace ftvm::agent {

namespace {

constexpr std::size_t kMaxLineBytes = 64 * 1024;
constexpr std::size_t kMaxConnections = 32;

bool send_line(int fd, std::string line) {
  line += '\n';
  std::string_view rest(line);
  while (!rest.empty()) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

AgentServer::AgentServer(clone::TcpListener listener, HostAgent& agent) : listener_(std::move(listener)), agent_(agent) {}

void AgentServer::run(const std::function<bool()>& stop_requested, int wake_fd) {
  while (!stop_requested()) {
    std::vector<pollfd> fds = {{listener_.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (const Connection& c : connections_) fds.push_back({c.fd.get(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 200);
    agent_.reap();
    if (fds[0].revents & POLLIN) {
      disk::UniqueFd fd = listener_.accept(std::chrono::milliseconds(0));
      if (fd.valid() && connections_.size() < kMaxConnections) connections_.push_back({std::move(fd), {}});
    }
    // Connections that failed or were closed go; the rest stay in order.
    std::vector<Connection> kept;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      bool keep = true;
      if (fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) keep = serve(connections_[i]);
      if (keep) kept.push_back(std::move(connections_[i]));
    }
    connections_ = std::move(kept);
  }
}

bool AgentServer::serve(Connection& c) {
  char chunk[4096];
  ssize_t n = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  c.buffer.append(chunk, static_cast<std::size_t>(n));
  for (std::size_t end; (end = c.buffer.find('\n')) != std::string::npos;) {
    std::string line = c.buffer.substr(0, end);
    c.buffer.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!send_line(c.fd.get(), agent_.handle_line(line))) return false;
  }
  if (c.buffer.size() > kMaxLineBytes) {
    send_line(c.fd.get(), R"({"ok":false,"error":"request line above 64 KiB"})");
    return false;
  }
  return true;
}

}  // namespace ftvm::agent
