#include "clone/byte_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "machine/core/error.h"

namespace ftvm::clone {

FdStream::FdStream(disk::UniqueFd fd, std::chrono::milliseconds timeout) : fd_(std::move(fd)), timeout_(timeout) {
  if (!fd_.valid()) throw Error("clone stream: no socket");
}

void FdStream::wait_for(short events, const char* what) {
  pollfd p{fd_.get(), events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    if (n > 0) return;
    if (n == 0) throw Error(std::string("clone stream: timed out waiting to ") + what);
    if (errno != EINTR) throw Error(std::string("clone stream: poll failed: ") + std::strerror(errno));
  }
}

void FdStream::write_all(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    wait_for(POLLOUT, "send");
    // MSG_NOSIGNAL: a vanished peer is an error here, not a SIGPIPE.
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw Error(std::string("clone stream: send failed: ") + std::strerror(errno));
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

std::size_t FdStream::read_some(std::span<std::uint8_t> buffer) {
  for (;;) {
    wait_for(POLLIN, "receive");
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == ECONNRESET) return 0;
    throw Error(std::string("clone stream: receive failed: ") + std::strerror(errno));
  }
}

bool FdStream::readable() {
  pollfd p{fd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

}  // namespace ftvm::clone
