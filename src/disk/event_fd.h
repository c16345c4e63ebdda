#pragma once
// An eventfd owned for its lifetime: the way a backend thread wakes the vCPU
// thread's poll() without the vCPU thread ever blocking on the backend.
// Header-only so that every host-edge library (disk, net, host) can use it
// without a link dependency on another.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "machine/core/error.h"

namespace ftvm::disk {

class EventFd {
 public:
  EventFd() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw Error(std::string("eventfd: ") + std::strerror(errno));
  }
  ~EventFd() { ::close(fd_); }
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;

  int fd() const { return fd_; }
  // Makes fd() readable. The counter saturates harmlessly, so a failed
  // write (EAGAIN at 2^64-2) still leaves the fd readable.
  void signal() const {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
  }
  // Makes fd() unreadable again (until the next signal()).
  void clear() const {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);
  }

 private:
  int fd_;
};

}  // namespace ftvm::disk
