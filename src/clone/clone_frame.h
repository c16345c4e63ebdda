#pragma once
// Frames: how clone messages travel on a byte stream.
//
//   [magic "FTCL"][type u8][payload_length u32][header_check u32]
//   [payload: payload_length bytes][payload_check u64]
//
// header_check is XXH32 of the 9 bytes before it, so a damaged length is
// refused before it is believed (a reader never waits for, or allocates, a
// length it has not checked); payload_check is XXH3-64 of the payload. All
// integers little-endian.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ftvm::clone {

inline constexpr std::size_t kCloneFrameHeaderBytes = 13;
inline constexpr std::size_t kCloneFrameTrailerBytes = 8;
// Far above any message the sender makes (a page batch is ~1 MiB, a state
// blob a few KiB), far below what a hostile length could make us allocate.
inline constexpr std::size_t kMaxClonePayloadBytes = std::size_t{64} << 20;

// Appends one frame of `type` holding `payload`.
void append_clone_frame(std::vector<std::uint8_t>& out, std::uint8_t type, std::span<const std::uint8_t> payload);

struct CloneFrame {
  std::uint8_t type = 0;
  std::vector<std::uint8_t> payload;
};

// Cuts frames out of a byte stream fed in arbitrary pieces. Throws
// CloneError on a bad magic, a header or payload checksum mismatch or a
// length above the bound; the stream is unusable after that.
class CloneFrameReader {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete, verified frame, or nullopt when more bytes are needed.
  std::optional<CloneFrame> next();
  // Bytes fed but not yet returned as frames (a stream that ends with some
  // is truncated).
  std::size_t buffered() const { return buffer_.size() - read_pos_; }
  // Stream offset of the next unread byte.
  std::uint64_t offset() const { return consumed_; }

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t read_pos_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace ftvm::clone
