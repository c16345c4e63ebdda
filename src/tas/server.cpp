#include "tas/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"
#include "tas/protocol.h"

namespace ftvm::tas {

namespace {
constexpr std::size_t kMaxClients = 256;

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::send(fd, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; its loss
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}
}  // namespace

Server::Server(DecisionStore& store, const std::string& host, std::uint16_t port) : store_(store) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw Error(std::string("tas: socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(listen_fd_);
    throw Error("tas: not an IPv4 address: " + host);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw Error("tas: cannot listen on " + host + ":" + std::to_string(port) + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Server::~Server() {
  for (auto& c : clients_) ::close(c.fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Server::stop() {
  stopping_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void Server::run() {
  while (!stopping_) {
    std::vector<pollfd> fds;
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (auto& c : clients_) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("tas: poll: ") + std::strerror(errno));
    }
    if (fds[0].revents & POLLIN) accept_clients();
    std::vector<Client> kept;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (fds[2 + i].revents == 0 || serve_client(clients_[i])) {
        kept.push_back(std::move(clients_[i]));
      } else {
        ::close(clients_[i].fd);
      }
    }
    // Clients accepted during this round were appended after the poll set.
    for (std::size_t i = fds.size() - 2; i < clients_.size(); ++i) kept.push_back(std::move(clients_[i]));
    clients_ = std::move(kept);
  }
}

void Server::accept_clients() {
  int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  if (clients_.size() >= kMaxClients) {
    write_all(fd, "ERR too many clients\n");
    ::close(fd);
    return;
  }
  clients_.push_back({fd, {}});
}

bool Server::serve_client(Client& c) {
  char buf[512];
  ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  c.in.append(buf, static_cast<std::size_t>(n));
  std::size_t nl;
  while ((nl = c.in.find('\n')) != std::string::npos) {
    std::string line = c.in.substr(0, nl);
    c.in.erase(0, nl + 1);
    write_all(c.fd, answer(line));
  }
  if (c.in.size() > kMaxLine) {
    write_all(c.fd, "ERR line too long\n");
    return false;
  }
  return true;
}

std::string Server::answer(const std::string& line) {
  std::string error;
  auto req = parse_request(line, error);
  if (!req) return "ERR " + error + "\n";
  if (req->op == Request::Op::kGet) {
    auto owner = store_.owner_of(req->key);
    return owner ? "OWNER " + *owner + "\n" : "NONE\n";
  }
  try {
    auto r = store_.test_and_set(req->key, req->owner);
    return (r.won ? "WON " : "LOST ") + r.owner + "\n";
  } catch (const Error& e) {
    // Not durable, so not decided: the client will retry.
    return std::string("ERR ") + e.what() + "\n";
  }
}

}  // namespace ftvm::tas
