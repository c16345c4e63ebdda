#pragma once
// A blocking, bidirectional byte stream (a TCP connection, one end of a
// socketpair). The clone session speaks through this, so the protocol core
// never sees a socket.
#include <chrono>
#include <cstdint>
#include <span>

#include "disk/unique_fd.h"

namespace ftvm::clone {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Writes every byte or throws ftvm::Error.
  virtual void write_all(std::span<const std::uint8_t> bytes) = 0;
  // Reads what is available (at least one byte, waiting for it); 0 when the
  // peer closed the stream. Throws ftvm::Error on a timeout or failure.
  virtual std::size_t read_some(std::span<std::uint8_t> buffer) = 0;
  // True when read_some would not wait (data, or the peer closed).
  virtual bool readable() = 0;
};

// A stream over a connected socket, each wait bounded by `timeout`.
class FdStream : public ByteStream {
 public:
  FdStream(disk::UniqueFd fd, std::chrono::milliseconds timeout);
  void write_all(std::span<const std::uint8_t> bytes) override;
  std::size_t read_some(std::span<std::uint8_t> buffer) override;
  bool readable() override;
  int fd() const { return fd_.get(); }

 private:
  void wait_for(short events, const char* what);

  disk::UniqueFd fd_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ftvm::clone
