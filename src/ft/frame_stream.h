#pragma once
// Cutting a TCP byte stream into message frames. Each frame travels as a
// 4-byte little-endian length followed by that many bytes (the output of
// encode_message). The reader buffers partial input and refuses lengths above
// a bound, so a corrupt or hostile peer cannot make it allocate without limit;
// after such an error the stream is unusable (framing is lost) and the driver
// should close the connection, which the protocol treats as a lost peer.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ftvm::ft {

// The length prefix followed by the frame.
std::vector<std::uint8_t> length_prefixed(std::span<const std::uint8_t> frame);

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Adds bytes as they came off the socket (any split is fine).
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete frame, if one is buffered and the stream is healthy.
  std::optional<std::vector<std::uint8_t>> next();
  // Set once a length above the bound was seen; then next() returns nothing.
  const std::string& error() const { return error_; }
  std::size_t buffered() const { return buffer_.size() - read_pos_; }

 private:
  std::size_t max_frame_bytes_;
  std::vector<std::uint8_t> buffer_;
  std::size_t read_pos_ = 0;  // consumed prefix of buffer_, compacted lazily
  std::string error_;
};

}  // namespace ftvm::ft
