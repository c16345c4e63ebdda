#pragma once
// LEB128 unsigned varints and zigzag mapping, plus a bounds-checked reader
// over one frame payload. Every read either succeeds inside the span or
// throws LogError naming the absolute offset of the bad field.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ftvm::replay {

// Longest LEB128 encoding of a 64-bit value: ceil(64 / 7) bytes.
inline constexpr std::size_t kMaxVarintBytes = 10;

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t value);
void put_u8(std::vector<std::uint8_t>& out, std::uint8_t value);
// Little-endian fixed-width integers.
void put_le(std::vector<std::uint8_t>& out, std::uint64_t value, unsigned width);
std::uint64_t get_le(const std::uint8_t* p, unsigned width);

// Signed deltas as small unsigned numbers: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...
constexpr std::uint64_t zigzag_encode(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t zigzag_decode(std::uint64_t v) {
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// Reads fields from a payload whose first byte sits at absolute log offset
// `base`. Errors name the offset of the field being read. A decompressed
// payload has no byte-exact place in the log, so with `exact_offsets` false
// every offset reported is `base` (the frame's own offset).
class PayloadReader {
 public:
  PayloadReader(std::span<const std::uint8_t> bytes, std::uint64_t base, bool exact_offsets = true)
      : bytes_(bytes), base_(base), exact_offsets_(exact_offsets) {}

  bool at_end() const { return pos_ == bytes_.size(); }
  std::uint64_t offset() const { return exact_offsets_ ? base_ + pos_ : base_; }

  std::uint8_t u8();
  std::uint64_t le(unsigned width);
  std::uint64_t varint();
  // A varint that must fit in 32 bits (device slots, statuses).
  std::uint32_t varint32(const char* what);
  // `n` raw bytes, n already checked against a cap by the caller.
  std::span<const std::uint8_t> bytes(std::size_t n);

 private:
  [[noreturn]] void fail_short(const char* what) const;

  std::span<const std::uint8_t> bytes_;
  std::uint64_t base_;
  bool exact_offsets_;
  std::size_t pos_ = 0;
};

}  // namespace ftvm::replay
