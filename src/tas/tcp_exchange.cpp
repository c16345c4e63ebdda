#include "tas/tcp_exchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ftvm::tas {

namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    int r = ::poll(&p, 1, left > 0 ? static_cast<int>(left) : 0);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

Exchange failed(std::string why, std::string partial = {}) { return {false, std::move(partial), std::move(why)}; }

}  // namespace

Exchange tcp_exchange(const std::string& host, std::uint16_t port, const std::string& request,
                      std::chrono::milliseconds timeout, std::size_t max_answer,
                      const std::function<bool(const std::string&)>& complete) {
  const auto deadline = Clock::now() + timeout;
  Socket s;
  if (s.fd() < 0) return failed(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return failed("not an IPv4 address: " + host);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
    return failed(std::string("connect: ") + std::strerror(errno));
  if (!wait_for(s.fd(), POLLOUT, deadline)) return failed("connect timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return failed(std::string("connect: ") + std::strerror(err));

  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(s.fd(), POLLOUT, deadline)) return failed("send timed out");
    ssize_t n = ::send(s.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return failed(std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  while (!complete(in)) {
    if (!wait_for(s.fd(), POLLIN, deadline)) return failed("no answer in time", in);
    char buf[4096];
    ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return failed(std::string("recv: ") + std::strerror(errno), in);
    if (n == 0) return complete(in) ? Exchange{true, in, {}} : failed("connection closed", in);
    in.append(buf, static_cast<std::size_t>(n));
    if (in.size() > max_answer) return failed("answer too long", in);
  }
  return {true, in, {}};
}

std::optional<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return std::make_pair(address.substr(0, colon), static_cast<std::uint16_t>(port));
}

}  // namespace ftvm::tas
