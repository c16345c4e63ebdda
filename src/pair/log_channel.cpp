#include "pair/log_channel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "ft/message_codec.h"
#include "machine/core/error.h"
#include "net/fault_proxy.h"

namespace ftvm::pair {

namespace {

sockaddr_in to_sockaddr(const net::Endpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  std::string host = e.host == "localhost" ? "127.0.0.1" : e.host;
  if (::inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) throw Error("not an IPv4 address: " + e.host);
  return sa;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Log frames are latency-critical (outputs wait for their acks): no Nagle.
void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

LogChannel::LogChannel(disk::UniqueFd socket, std::string peer_name)
    : socket_(std::move(socket)), peer_name_(std::move(peer_name)) {
  set_nonblocking(socket_.get());
  set_nodelay(socket_.get());
}

LogChannel LogChannel::connect(const std::string& address, std::chrono::milliseconds limit) {
  sockaddr_in sa = to_sockaddr(net::parse_endpoint(address));
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last_error;
  do {
    disk::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) throw Error("socket: " + errno_text());
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0)
      return LogChannel(std::move(fd), address);
    last_error = errno_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  throw Error("cannot connect the logging channel to " + address + ": " + last_error);
}

void LogChannel::send(const ft::Message& message) {
  if (closed()) return;
  auto framed = ft::length_prefixed(ft::encode_message(message));
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_.insert(out_.end(), framed.begin(), framed.end());
  flush();
}

void LogChannel::flush() {
  while (!closed() && out_pos_ < out_.size()) {
    ssize_t n = ::send(socket_.get(), out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<std::size_t>(n);
      bytes_sent_ += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close("send to " + peer_name_ + " failed: " + errno_text());
  }
  // Compact once the sent prefix dominates, so the buffer does not grow
  // without bound on a long-lived channel.
  if (out_pos_ > (1u << 20) && out_pos_ * 2 > out_.size()) {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
    out_pos_ = 0;
  }
}

std::vector<std::vector<std::uint8_t>> LogChannel::receive() {
  std::vector<std::vector<std::uint8_t>> frames;
  std::uint8_t buf[64 * 1024];
  while (!closed()) {
    ssize_t n = ::recv(socket_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      bytes_received_ += static_cast<std::uint64_t>(n);
      reader_.feed({buf, static_cast<std::size_t>(n)});
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // Frames that arrived before the close still count.
    while (auto f = reader_.next()) frames.push_back(std::move(*f));
    close(n == 0 ? "the peer " + peer_name_ + " closed the logging channel"
                 : "receive from " + peer_name_ + " failed: " + errno_text());
    return frames;
  }
  while (auto f = reader_.next()) frames.push_back(std::move(*f));
  if (!reader_.error().empty()) close("framing lost on the logging channel: " + reader_.error());
  return frames;
}

void LogChannel::wait(std::chrono::milliseconds timeout) const {
  if (closed()) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  pollfd p{socket_.get(), static_cast<short>(POLLIN | (queued_bytes() > 0 ? POLLOUT : 0)), 0};
  ::poll(&p, 1, static_cast<int>(timeout.count()));
}

void LogChannel::close(const std::string& reason) {
  if (closed()) return;
  close_reason_ = reason.empty() ? "closed" : reason;
  socket_.reset();
}

ChannelListener::ChannelListener(const std::string& address) {
  net::Endpoint e = net::parse_endpoint(address);
  sockaddr_in sa = to_sockaddr(e);
  socket_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket_.valid()) throw Error("socket: " + errno_text());
  int one = 1;
  ::setsockopt(socket_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(socket_.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    throw Error("cannot listen for the logging channel on " + address + ": " + errno_text());
  if (::listen(socket_.get(), 4) != 0) throw Error("listen on " + address + ": " + errno_text());
  socklen_t len = sizeof sa;
  ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

std::optional<LogChannel> ChannelListener::accept(std::chrono::milliseconds limit) {
  pollfd p{socket_.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  disk::UniqueFd fd(::accept4(socket_.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return LogChannel(std::move(fd), std::string(text) + ":" + std::to_string(ntohs(peer.sin_port)));
}

}  // namespace ftvm::pair
