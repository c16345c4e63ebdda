#include "tas/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"
#include "tas/protocol.h"

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

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

Answer unreachable(std::string why) { return {Outcome::kUnreachable, {}, std::move(why)}; }

}  // namespace

BuiltinClient::BuiltinClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

Answer BuiltinClient::test_and_set(const std::string& key, const std::string& owner) {
  const auto deadline = Clock::now() + timeout_;
  Socket s;
  if (s.fd() < 0) return unreachable(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) return unreachable("bad address " + host_);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
    return unreachable(std::string("connect: ") + std::strerror(errno));
  if (!wait_for(s.fd(), POLLOUT, deadline)) return unreachable("connect timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return unreachable(std::string("connect: ") + std::strerror(err));

  std::string req = "TAS " + key + " " + owner + "\n";
  if (::send(s.fd(), req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
    return unreachable("send failed");
  std::string in;
  while (in.find('\n') == std::string::npos) {
    if (!wait_for(s.fd(), POLLIN, deadline)) return unreachable("no answer in time");
    char buf[256];
    ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
    if (n <= 0) return unreachable("connection closed");
    in.append(buf, static_cast<std::size_t>(n));
    if (in.size() > kMaxLine) return unreachable("answer too long");
  }
  std::string line = in.substr(0, in.find('\n'));
  if (line.rfind("WON ", 0) == 0) return {Outcome::kWon, line.substr(4), {}};
  if (line.rfind("LOST ", 0) == 0) return {Outcome::kLost, line.substr(5), {}};
  return unreachable("server said: " + line);
}

std::unique_ptr<TestAndSet> make_builtin_client(const std::string& address, std::chrono::milliseconds timeout) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) throw Error("tas address must be host:port, got " + address);
  unsigned long port = 0;
  try {
    port = std::stoul(address.substr(colon + 1));
  } catch (...) {
    port = 0;
  }
  if (port == 0 || port > 65535) throw Error("tas address has a bad port: " + address);
  return std::make_unique<BuiltinClient>(address.substr(0, colon), static_cast<std::uint16_t>(port), timeout);
}

}  // namespace ftvm::tas
