#pragma once
// Sub-word access to wide device registers: guests may touch a 64-bit
// register with two 32-bit accesses (RV32-style drivers, OpenSBI's CLINT code)
// or with byte accesses. These helpers read or merge the addressed bytes.
#include <cstdint>

namespace ftvm::machine {

inline std::uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

// The `size` bytes at byte `offset` of a `reg_bytes`-wide register value.
inline std::uint64_t read_register_part(std::uint64_t reg, std::uint64_t offset, unsigned size) {
  if (offset >= 8) return 0;
  return (reg >> (8 * offset)) & size_mask(size);
}

// `reg` with the `size` bytes at byte `offset` replaced by `value`.
inline std::uint64_t write_register_part(std::uint64_t reg, std::uint64_t offset, unsigned size, std::uint64_t value) {
  if (offset >= 8) return reg;
  std::uint64_t mask = size_mask(size) << (8 * offset);
  return (reg & ~mask) | ((value << (8 * offset)) & mask);
}

}  // namespace ftvm::machine
