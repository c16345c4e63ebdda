#pragma once
// The six RV32/64 base instruction formats as pure bit-packing functions.
// Used to expand compressed instructions into their 32-bit equivalents (so one
// decoder serves both) and by tests and benchmarks to build guest programs.
#include <cstdint>

namespace ftvm::machine::rv {

constexpr std::uint32_t r_type(std::uint32_t opcode, unsigned rd, unsigned funct3, unsigned rs1, unsigned rs2,
                               std::uint32_t funct7) {
  return (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}

constexpr std::uint32_t i_type(std::uint32_t opcode, unsigned rd, unsigned funct3, unsigned rs1, std::int32_t imm) {
  return (static_cast<std::uint32_t>(imm) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}

constexpr std::uint32_t s_type(std::uint32_t opcode, unsigned funct3, unsigned rs1, unsigned rs2, std::int32_t imm) {
  auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((u & 0x1f) << 7) | opcode;
}

constexpr std::uint32_t b_type(std::uint32_t opcode, unsigned funct3, unsigned rs1, unsigned rs2, std::int32_t imm) {
  auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) |
         (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | opcode;
}

// imm is the full 32-bit value whose low 12 bits are zero (as LUI/AUIPC add it).
constexpr std::uint32_t u_type(std::uint32_t opcode, unsigned rd, std::int32_t imm) {
  return (static_cast<std::uint32_t>(imm) & 0xfffff000u) | (rd << 7) | opcode;
}

constexpr std::uint32_t j_type(std::uint32_t opcode, unsigned rd, std::int32_t imm) {
  auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) | (((u >> 12) & 0xff) << 12) |
         (rd << 7) | opcode;
}

// Major opcodes.
namespace opc {
inline constexpr std::uint32_t kLoad = 0x03, kLoadFp = 0x07, kMiscMem = 0x0f, kOpImm = 0x13, kAuipc = 0x17,
                               kOpImm32 = 0x1b, kStore = 0x23, kStoreFp = 0x27, kAmo = 0x2f, kOp = 0x33, kLui = 0x37,
                               kOp32 = 0x3b, kMadd = 0x43, kMsub = 0x47, kNmsub = 0x4b, kNmadd = 0x4f, kOpFp = 0x53,
                               kBranch = 0x63, kJalr = 0x67, kJal = 0x6f, kSystem = 0x73;
}

}  // namespace ftvm::machine::rv
