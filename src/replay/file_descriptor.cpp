#include "replay/file_descriptor.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::replay {

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

void FileDescriptor::close_checked(const std::string& path) {
  if (fd_ < 0) return;
  const int fd = release();
  if (::close(fd) != 0) throw_io_error("close", path);
}

void throw_io_error(const std::string& action, const std::string& path) {
  throw Error("cannot " + action + " replay log " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const void* data, std::size_t size, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io_error("write", path);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::size_t read_some(int fd, void* data, std::size_t size, const std::string& path) {
  for (;;) {
    const ssize_t n = ::read(fd, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw_io_error("read", path);
  }
}

}  // namespace ftvm::replay
