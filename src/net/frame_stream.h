#pragma once
// Ethernet frames over a byte stream (a Unix stream socket between a VM and
// the switch): each frame is a 4-byte big-endian length, then the frame.
// A stream, not datagrams, because Unix datagram queues hold only a handful
// of messages (net.unix.max_dgram_qlen, often 10) and would drop TCP bursts.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "net/ethernet_frame.h"

namespace ftvm::net {

using Frame = std::vector<std::uint8_t>;

void append_framed(std::vector<std::uint8_t>& out, FrameView frame);

// Reassembles frames from stream bytes arriving in arbitrary pieces.
class FrameDecoder {
 public:
  // Appends the bytes; returns false once the stream is malformed (a length
  // of zero or above kMaxFrameSize), after which the peer must be dropped.
  bool feed(const std::uint8_t* data, std::size_t len);
  // The next complete frame, if any.
  std::optional<Frame> next();
  bool broken() const { return broken_; }

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t consumed_ = 0;
  bool broken_ = false;
};

// One non-blocking stream socket carrying frames both ways, with a bounded
// send buffer: when a slow peer lets it fill, new frames are dropped, like a
// congested Ethernet link (TCP on top recovers).
class FramedConnection {
 public:
  explicit FramedConnection(int fd, std::size_t send_limit = 8u << 20) : fd_(fd), send_limit_(send_limit) {}

  int fd() const { return fd_; }
  // Queues a frame; false when it was dropped for lack of buffer space.
  bool queue(FrameView frame);
  bool wants_write() const { return sent_ < out_.size(); }
  // Writes what the socket takes now; false if the connection failed.
  bool flush();
  // Reads what is available into `frames`; false on EOF, error or a
  // malformed stream (the caller closes the connection).
  bool receive(std::vector<Frame>& frames);
  std::uint64_t dropped() const { return dropped_; }

 private:
  int fd_;
  std::size_t send_limit_;
  std::vector<std::uint8_t> out_;
  std::size_t sent_ = 0;
  FrameDecoder decoder_;
  std::uint64_t dropped_ = 0;
};

}  // namespace ftvm::net
