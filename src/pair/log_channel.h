#pragma once
// The logging channel between the two members of a pair: one TCP
// connection carrying length-prefixed ft::Message frames (ft/frame_stream.h)
// in both directions. Non-blocking: sends queue in user space and leave as
// the socket takes them, reads hand back whole frames. A closed connection,
// a socket error or a refused frame length (framing lost) all end the
// channel for good with a one-line reason; the protocol then treats the
// peer as lost.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "disk/unique_fd.h"
#include "ft/frame_stream.h"
#include "ft/message.h"

namespace ftvm::pair {

// Largest frame we accept: a LogBatch of up to 1 MiB of entries plus slack.
inline constexpr std::size_t kMaxChannelFrameBytes = 8u << 20;

class LogChannel {
 public:
  // Takes a connected socket; makes it non-blocking.
  LogChannel(disk::UniqueFd socket, std::string peer_name);

  // Connects to host:port, retrying refused connections until `limit` has
  // passed. Throws ftvm::Error when it never connects.
  static LogChannel connect(const std::string& address, std::chrono::milliseconds limit);

  void send(const ft::Message& message);
  // Writes what the socket takes now.
  void flush();
  // Reads what is there and returns the complete frames, in order.
  std::vector<std::vector<std::uint8_t>> receive();
  // Blocks until the socket is readable (or writable while output waits)
  // or `timeout` passes.
  void wait(std::chrono::milliseconds timeout) const;

  int fd() const { return socket_.get(); }
  bool closed() const { return !close_reason_.empty(); }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& peer_name() const { return peer_name_; }
  std::size_t queued_bytes() const { return out_.size() - out_pos_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t bytes_received() const { return bytes_received_; }
  void close(const std::string& reason);

 private:
  disk::UniqueFd socket_;
  std::string peer_name_;
  ft::FrameReader reader_{kMaxChannelFrameBytes};
  std::vector<std::uint8_t> out_;
  std::size_t out_pos_ = 0;
  std::string close_reason_;
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t bytes_received_ = 0;
};

// A listening socket the peer connects to.
class ChannelListener {
 public:
  // Binds host:port (port 0 picks one). Throws ftvm::Error.
  explicit ChannelListener(const std::string& address);
  std::uint16_t port() const { return port_; }
  // Waits up to `limit` for one connection; nullopt when none came.
  std::optional<LogChannel> accept(std::chrono::milliseconds limit);

 private:
  disk::UniqueFd socket_;
  std::uint16_t port_ = 0;
};

}  // namespace ftvm::pair
