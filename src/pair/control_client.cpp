#include "pair/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::pair {

namespace {

disk::UniqueFd connect_unix(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(a.sun_path)) throw Error("control socket path too long: " + path);
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  disk::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw Error("socket(AF_UNIX) failed");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0)
    throw Error("cannot connect to control socket " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

void control_exchange(const std::string& path, const std::string& request, std::chrono::milliseconds limit,
                      const std::function<bool(const std::string&)>& on_line) {
  disk::UniqueFd fd = connect_unix(path);
  std::string out = request + "\n";
  if (::send(fd.get(), out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
    throw Error("cannot send the request on " + path + ": " + std::strerror(errno));
  std::string got;
  for (;;) {
    for (auto nl = got.find('\n'); nl != std::string::npos; nl = got.find('\n')) {
      std::string line = got.substr(0, nl);
      got.erase(0, nl + 1);
      if (!on_line(line)) return;
    }
    pollfd p{fd.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(limit.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw Error("no answer from the VM on " + path + " in " + std::to_string(limit.count()) + " ms");
    char buf[1024];
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the VM closed the connection
    got.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace ftvm::pair
