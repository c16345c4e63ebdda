#pragma once
// The byte format of machine snapshots: little-endian fixed-width integers,
// length-prefixed byte strings and four-letter section tags. Devices write
// their state with a SnapshotWriter and read it back with a SnapshotReader;
// the platform wraps the result in a versioned, checksummed blob.
//
// The reader never trusts the blob: every read is bounds-checked, lengths are
// checked against what is left before anything is allocated, and booleans
// must be 0 or 1. Any violation is an ftvm::Error with one clear line, so a
// corrupt or hostile snapshot can never crash the VMM.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "machine/core/error.h"

namespace ftvm::machine {

class SnapshotWriter {
 public:
  void u8(std::uint8_t v) { bytes_.push_back(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  // A length-prefixed byte string.
  void blob(std::span<const std::uint8_t> data) {
    u64(data.size());
    raw(data);
  }
  void raw(std::span<const std::uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  // Sections make a misplaced read fail at once, naming where.
  void section(std::string_view tag4) { raw({reinterpret_cast<const std::uint8_t*>(tag4.data()), 4}); }

  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  void put(std::uint64_t v, unsigned size) {
    for (unsigned i = 0; i < size; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

  std::vector<std::uint8_t> bytes_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  bool boolean() {
    std::uint8_t v = u8();
    if (v > 1) fail("a flag holds " + std::to_string(v));
    return v == 1;
  }
  std::vector<std::uint8_t> blob(std::uint64_t max_len) {
    std::uint64_t n = u64();
    if (n > max_len) fail("a field of " + std::to_string(n) + " bytes exceeds its limit of " + std::to_string(max_len));
    std::span<const std::uint8_t> s = raw(n);
    return {s.begin(), s.end()};
  }
  // A count of items that each take at least `min_item_bytes`: checked
  // against what is left, so a corrupt count cannot make us allocate wildly.
  std::uint64_t count(std::uint64_t max_items, std::uint64_t min_item_bytes) {
    std::uint64_t n = u64();
    if (n > max_items) fail("a count of " + std::to_string(n) + " exceeds its limit of " + std::to_string(max_items));
    if (min_item_bytes && n > remaining() / min_item_bytes) fail("a count of " + std::to_string(n) + " overruns the data");
    return n;
  }
  std::span<const std::uint8_t> raw(std::uint64_t n) {
    if (n > remaining()) fail("data ends early");
    std::span<const std::uint8_t> s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  void section(std::string_view tag4) {
    std::span<const std::uint8_t> got = raw(4);
    if (std::memcmp(got.data(), tag4.data(), 4) != 0) fail("expected section '" + std::string(tag4) + "'");
  }
  // For values a device checks itself (a register out of range and so on).
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("machine snapshot is malformed at byte " + std::to_string(pos_) + ": " + why);
  }

  std::uint64_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::uint64_t get(unsigned size) {
    std::span<const std::uint8_t> s = raw(size);
    std::uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= std::uint64_t{s[i]} << (8 * i);
    return v;
  }

  std::span<const std::uint8_t> data_;
  std::uint64_t pos_ = 0;
};

}  // namespace ftvm::machine
