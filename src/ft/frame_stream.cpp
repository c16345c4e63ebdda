#include "ft/frame_stream.h"

#include <fmt/format.h>

namespace ftvm::ft {
namespace {
constexpr std::size_t kPrefixBytes = 4;
}  // namespace

std::vector<std::uint8_t> length_prefixed(std::span<const std::uint8_t> frame) {
  std::vector<std::uint8_t> out;
  out.reserve(kPrefixBytes + frame.size());
  const auto n = static_cast<std::uint32_t>(frame.size());
  for (std::size_t i = 0; i < kPrefixBytes; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

void FrameReader::feed(std::span<const std::uint8_t> bytes) {
  if (!error_.empty()) return;
  // Drop what was already handed out before growing, so the buffer holds at
  // most one partial frame plus the new bytes.
  if (read_pos_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<std::vector<std::uint8_t>> FrameReader::next() {
  if (!error_.empty() || buffered() < kPrefixBytes) return std::nullopt;
  std::size_t length = 0;
  for (std::size_t i = 0; i < kPrefixBytes; ++i) length |= std::size_t{buffer_[read_pos_ + i]} << (8 * i);
  if (length > max_frame_bytes_) {
    error_ = fmt::format("ft channel: frame of {} bytes exceeds the limit of {}", length, max_frame_bytes_);
    return std::nullopt;
  }
  if (buffered() < kPrefixBytes + length) return std::nullopt;
  const auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_ + kPrefixBytes);
  std::vector<std::uint8_t> frame(first, first + static_cast<std::ptrdiff_t>(length));
  read_pos_ += kPrefixBytes + length;
  return frame;
}

}  // namespace ftvm::ft
