#pragma once
// Little-endian writer and bounds-checked reader used by the message codec.
#include <cstdint>
#include <span>
#include <vector>

namespace ftvm::ft {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  const std::vector<std::uint8_t>& data() const { return out_; }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::vector<std::uint8_t> out_;
};

// Every read reports failure instead of reading past the end; once a read has
// failed, all later reads fail too, so a decoder can check once at the end of
// a group of reads.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> in) : in_(in) {}
  bool u8(std::uint8_t& v) { return le(v, 1); }
  bool u16(std::uint16_t& v) { return le(v, 2); }
  bool u32(std::uint32_t& v) { return le(v, 4); }
  bool u64(std::uint64_t& v) { return le(v, 8); }
  bool bytes(std::size_t n, std::vector<std::uint8_t>& v) {
    if (failed_ || remaining() < n) return fail();
    v.assign(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
             in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return true;
  }
  std::size_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return !failed_; }

 private:
  template <typename T>
  bool le(T& v, std::size_t n) {
    if (failed_ || remaining() < n) return fail();
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < n; ++i) acc |= std::uint64_t{in_[pos_ + i]} << (8 * i);
    v = static_cast<T>(acc);
    pos_ += n;
    return true;
  }
  bool fail() {
    failed_ = true;
    return false;
  }
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// FNV-1a, 64-bit. Each step is a bijection of the running state, so changing
// any single byte of a frame always changes its checksum.
inline std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace ftvm::ft
