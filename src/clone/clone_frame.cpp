#include "clone/clone_frame.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "clone/clone_error.h"

namespace ftvm::clone {

namespace {

constexpr std::uint8_t kMagic[4] = {'F', 'T', 'C', 'L'};

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_le(const std::uint8_t* p, unsigned size) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

void append_clone_frame(std::vector<std::uint8_t>& out, std::uint8_t type, std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxClonePayloadBytes)
    throw CloneError("a message of " + std::to_string(payload.size()) + " bytes is above the frame limit");
  std::size_t start = out.size();
  out.insert(out.end(), std::begin(kMagic), std::end(kMagic));
  out.push_back(type);
  put_le(out, payload.size(), 4);
  put_le(out, XXH32(out.data() + start, 9, 0), 4);
  out.insert(out.end(), payload.begin(), payload.end());
  put_le(out, XXH3_64bits(payload.data(), payload.size()), 8);
}

void CloneFrameReader::feed(std::span<const std::uint8_t> bytes) {
  // Compact once the consumed prefix dominates, so a long stream does not
  // keep every byte it ever carried.
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<CloneFrame> CloneFrameReader::next() {
  const std::size_t available = buffered();
  const std::uint8_t* p = buffer_.data() + read_pos_;
  const std::string at = " at stream offset " + std::to_string(consumed_);
  // The magic is checked as soon as its bytes are here: a stream that is not
  // a clone fails at once rather than after 13 bytes.
  if (std::memcmp(p, kMagic, std::min<std::size_t>(available, sizeof kMagic)) != 0)
    throw CloneError("not a clone stream, or framing lost (bad magic" + at + ")");
  if (available < kCloneFrameHeaderBytes) return std::nullopt;
  if (XXH32(p, 9, 0) != get_le(p + 9, 4)) throw CloneError("damaged frame header" + at);
  const std::uint64_t length = get_le(p + 5, 4);
  if (length > kMaxClonePayloadBytes)
    throw CloneError("frame of " + std::to_string(length) + " bytes is above the limit" + at);
  const std::size_t total = kCloneFrameHeaderBytes + length + kCloneFrameTrailerBytes;
  if (available < total) return std::nullopt;
  const std::uint8_t* payload = p + kCloneFrameHeaderBytes;
  if (XXH3_64bits(payload, length) != get_le(payload + length, 8)) throw CloneError("damaged frame payload" + at);
  CloneFrame frame;
  frame.type = p[4];
  frame.payload.assign(payload, payload + length);
  read_pos_ += total;
  consumed_ += total;
  return frame;
}

}  // namespace ftvm::clone
