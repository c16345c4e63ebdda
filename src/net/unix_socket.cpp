#include "net/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::net {

namespace {

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw Error("socket path '" + path + "' is empty or too long (max " + std::to_string(sizeof addr.sun_path - 1) +
                " bytes)");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

UniqueFd stream_socket() {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw Error(std::string("socket: ") + std::strerror(errno));
  return fd;
}

bool someone_listens(const sockaddr_un& addr) {
  UniqueFd probe = stream_socket();
  return ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

UniqueFd listen_unix(const std::string& path) {
  sockaddr_un addr = unix_address(path);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw Error("switch socket path " + path + " exists and is not a socket");
    if (someone_listens(addr)) throw Error("another switch is already listening on " + path);
    ::unlink(path.c_str());
  }
  UniqueFd fd = stream_socket();
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw Error("cannot bind switch socket " + path + ": " + std::strerror(errno));
  if (::listen(fd.get(), 64) != 0) throw Error("cannot listen on " + path + ": " + std::strerror(errno));
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return fd;
}

UniqueFd connect_unix(const std::string& path) {
  sockaddr_un addr = unix_address(path);
  UniqueFd fd = stream_socket();
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw Error("cannot connect to the switch at " + path + ": " + std::strerror(errno));
  return fd;
}

void tune_frame_socket(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  int bytes = 1 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

}  // namespace ftvm::net
