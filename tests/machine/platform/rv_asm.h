#pragma once
// Just enough of an RV64 instruction encoder to write tiny test programs as
// raw instruction words.
#include <cstdint>
#include <cstring>
#include <vector>

namespace ftvm::machine::rv {

enum Reg : std::uint32_t { zero = 0, ra = 1, t0 = 5, t1 = 6, t2 = 7, a0 = 10, a1 = 11 };

inline std::uint32_t i_type(std::uint32_t op, std::uint32_t f3, std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) {
  return (static_cast<std::uint32_t>(imm) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
inline std::uint32_t s_type(std::uint32_t f3, std::uint32_t rs1, std::uint32_t rs2, std::int32_t imm) {
  auto u = static_cast<std::uint32_t>(imm);
  return ((u >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 0x1f) << 7) | 0x23;
}
inline std::uint32_t lui(std::uint32_t rd, std::uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x37; }
inline std::uint32_t auipc(std::uint32_t rd, std::uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x17; }
inline std::uint32_t addi(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) { return i_type(0x13, 0, rd, rs1, imm); }
inline std::uint32_t ld(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) { return i_type(0x03, 3, rd, rs1, imm); }
inline std::uint32_t lw(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) { return i_type(0x03, 2, rd, rs1, imm); }
inline std::uint32_t lbu(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) { return i_type(0x03, 4, rd, rs1, imm); }
inline std::uint32_t sb(std::uint32_t rs2, std::uint32_t rs1, std::int32_t imm) { return s_type(0, rs1, rs2, imm); }
inline std::uint32_t sw(std::uint32_t rs2, std::uint32_t rs1, std::int32_t imm) { return s_type(2, rs1, rs2, imm); }
inline std::uint32_t sd(std::uint32_t rs2, std::uint32_t rs1, std::int32_t imm) { return s_type(3, rs1, rs2, imm); }
inline std::uint32_t csrrw(std::uint32_t rd, std::uint32_t csr, std::uint32_t rs1) { return i_type(0x73, 1, rd, rs1, static_cast<std::int32_t>(csr)); }
inline std::uint32_t csrrs(std::uint32_t rd, std::uint32_t csr, std::uint32_t rs1) { return i_type(0x73, 2, rd, rs1, static_cast<std::int32_t>(csr)); }
inline std::uint32_t beq(std::uint32_t rs1, std::uint32_t rs2, std::int32_t offset) {
  auto u = static_cast<std::uint32_t>(offset);
  return ((u >> 12 & 1) << 31) | ((u >> 5 & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | ((u >> 1 & 0xf) << 8) |
         ((u >> 11 & 1) << 7) | 0x63;
}
inline std::uint32_t wfi() { return 0x10500073; }
inline std::uint32_t jal(std::uint32_t rd, std::int32_t offset) {
  auto u = static_cast<std::uint32_t>(offset);
  return ((u >> 20 & 1) << 31) | ((u >> 1 & 0x3ff) << 21) | ((u >> 11 & 1) << 20) | ((u >> 12 & 0xff) << 12) |
         (rd << 7) | 0x6f;
}

inline std::vector<std::uint8_t> program(const std::vector<std::uint32_t>& words) {
  std::vector<std::uint8_t> bytes(words.size() * 4);
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

}  // namespace ftvm::machine::rv
