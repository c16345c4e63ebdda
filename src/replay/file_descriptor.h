#pragma once
// Owns one POSIX file descriptor; closes it when dropped.
#include <string>

namespace ftvm::replay {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes now, throwing ftvm::Error (naming `path`) if close reports an
  // error -- on some filesystems that is where a failed write shows up.
  void close_checked(const std::string& path);

 private:
  int fd_ = -1;
};

// Writes all of `data`, retrying short writes and EINTR; throws ftvm::Error.
void write_all(int fd, const void* data, std::size_t size, const std::string& path);
// Reads up to `size` bytes (0 at end of file); throws ftvm::Error.
std::size_t read_some(int fd, void* data, std::size_t size, const std::string& path);
// Throws ftvm::Error naming the path and errno's text.
[[noreturn]] void throw_io_error(const std::string& action, const std::string& path);

}  // namespace ftvm::replay
