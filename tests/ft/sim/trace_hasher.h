#pragma once
// Folds everything observable about a simulation run into one number, so two
// runs of the same seed can be compared exactly.
#include <cstdint>
#include <span>
#include <string_view>

namespace ftvm::ft::sim {

class TraceHasher {
 public:
  void add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) mix(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void add(std::string_view s) {
    add(s.size());
    for (char c : s) mix(static_cast<std::uint8_t>(c));
  }
  void add(std::span<const std::uint8_t> bytes) {
    add(bytes.size());
    for (std::uint8_t b : bytes) mix(b);
  }
  std::uint64_t digest() const { return h_; }

 private:
  void mix(std::uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ull;
  }
  std::uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace ftvm::ft::sim
