#include "replay/varint.h"

#include <string>

#include "replay/log_error.h"

namespace ftvm::replay {

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t value) { out.push_back(value); }

void put_le(std::vector<std::uint8_t>& out, std::uint64_t value, unsigned width) {
  for (unsigned i = 0; i < width; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t get_le(const std::uint8_t* p, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

void PayloadReader::fail_short(const char* what) const {
  throw LogError(offset(), std::string("entry field '") + what + "' runs past the end of its frame at offset " +
                               std::to_string(offset()));
}

std::uint8_t PayloadReader::u8() {
  if (pos_ >= bytes_.size()) fail_short("byte");
  return bytes_[pos_++];
}

std::uint64_t PayloadReader::le(unsigned width) {
  if (bytes_.size() - pos_ < width) fail_short("fixed-width integer");
  std::uint64_t v = get_le(bytes_.data() + pos_, width);
  pos_ += width;
  return v;
}

std::uint64_t PayloadReader::varint() {
  const std::uint64_t start = offset();
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (pos_ >= bytes_.size()) fail_short("varint");
    const std::uint8_t b = bytes_[pos_++];
    // The tenth byte holds only bit 63; anything more would overflow.
    if (i == kMaxVarintBytes - 1 && b > 1) {
      throw LogError(start, "varint overflows 64 bits at offset " + std::to_string(start));
    }
    value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      // A trailing zero group means a longer-than-needed encoding; the format
      // allows exactly one encoding per value so logs compare byte for byte.
      if (i > 0 && b == 0) {
        throw LogError(start, "non-canonical varint at offset " + std::to_string(start));
      }
      return value;
    }
  }
  throw LogError(start, "varint longer than 10 bytes at offset " + std::to_string(start));
}

std::uint32_t PayloadReader::varint32(const char* what) {
  const std::uint64_t start = offset();
  const std::uint64_t v = varint();
  if (v > UINT32_MAX) {
    throw LogError(start, std::string(what) + " " + std::to_string(v) + " does not fit in 32 bits at offset " +
                              std::to_string(start));
  }
  return static_cast<std::uint32_t>(v);
}

std::span<const std::uint8_t> PayloadReader::bytes(std::size_t n) {
  if (bytes_.size() - pos_ < n) fail_short("data bytes");
  auto s = bytes_.subspan(pos_, n);
  pos_ += n;
  return s;
}

}  // namespace ftvm::replay
