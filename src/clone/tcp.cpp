#include "clone/tcp.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "machine/core/error.h"

namespace ftvm::clone {

namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { ::freeaddrinfo(a); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoDeleter>;

AddrInfo resolve(const std::string& address, bool passive) {
  auto [host, port] = split_host_port(address);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) throw Error("cannot resolve '" + address + "': " + ::gai_strerror(rc));
  return AddrInfo(found);
}

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::pair<std::string, std::uint16_t> split_host_port(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) throw Error("address '" + address + "': expected HOST:PORT");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = address.substr(colon + 1);
  unsigned long port = 0;
  bool digits = !port_text.empty() && port_text.size() <= 5 &&
                port_text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) port = std::stoul(port_text);
  if (!digits || port > 65535) throw Error("address '" + address + "': bad port");
  return {host, static_cast<std::uint16_t>(port)};
}

disk::UniqueFd connect_tcp(const std::string& address, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last_error = "no address";
  for (;;) {
    AddrInfo list = resolve(address, false);
    for (addrinfo* a = list.get(); a; a = a->ai_next) {
      disk::UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
      if (!fd.valid()) continue;
      if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) {
        no_delay(fd.get());
        return fd;
      }
      last_error = std::strerror(errno);
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error("cannot connect to " + address + ": " + last_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TcpListener::TcpListener(const std::string& address) {
  AddrInfo list = resolve(address, true);
  std::string last_error = "no address";
  for (addrinfo* a = list.get(); a; a = a->ai_next) {
    disk::UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) continue;
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd.get(), 16) != 0) {
      last_error = std::strerror(errno);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    socket_ = std::move(fd);
    return;
  }
  throw Error("cannot listen on " + address + ": " + last_error);
}

disk::UniqueFd TcpListener::accept(std::chrono::milliseconds limit) {
  pollfd p{socket_.get(), POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(limit.count()));
  if (n <= 0) return disk::UniqueFd{};
  disk::UniqueFd fd(::accept4(socket_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (fd.valid()) no_delay(fd.get());
  return fd;
}

}  // namespace ftvm::clone
