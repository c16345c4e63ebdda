#pragma once
// Test-only RISC-V encoder: one function per instruction the tests use, built
// on the format packers in machine/cpu/rv_encoding.h.
#include <cstdint>
#include <vector>

#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::test_asm {

using namespace ftvm::machine::rv;
using u32 = std::uint32_t;

// Register names used in tests.
enum : unsigned { zero = 0, ra = 1, sp = 2, gp = 3, tp = 4, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10,
                  a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17, t3 = 28, t4 = 29, t5 = 30, t6 = 31 };

inline u32 addi(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 0, rs1, imm); }
inline u32 slti(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 2, rs1, imm); }
inline u32 sltiu(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 3, rs1, imm); }
inline u32 xori(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 4, rs1, imm); }
inline u32 ori(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 6, rs1, imm); }
inline u32 andi(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm, rd, 7, rs1, imm); }
inline u32 slli(unsigned rd, unsigned rs1, int sh) { return i_type(opc::kOpImm, rd, 1, rs1, sh); }
inline u32 srli(unsigned rd, unsigned rs1, int sh) { return i_type(opc::kOpImm, rd, 5, rs1, sh); }
inline u32 srai(unsigned rd, unsigned rs1, int sh) { return i_type(opc::kOpImm, rd, 5, rs1, sh | 0x400); }
inline u32 addiw(unsigned rd, unsigned rs1, int imm) { return i_type(opc::kOpImm32, rd, 0, rs1, imm); }
inline u32 slliw(unsigned rd, unsigned rs1, int sh) { return i_type(opc::kOpImm32, rd, 1, rs1, sh); }
inline u32 sraiw(unsigned rd, unsigned rs1, int sh) { return i_type(opc::kOpImm32, rd, 5, rs1, sh | 0x400); }
inline u32 lui(unsigned rd, int imm) { return u_type(opc::kLui, rd, imm); }
inline u32 auipc(unsigned rd, int imm) { return u_type(opc::kAuipc, rd, imm); }

inline u32 rop(unsigned f3, u32 f7, unsigned rd, unsigned rs1, unsigned rs2) { return r_type(opc::kOp, rd, f3, rs1, rs2, f7); }
inline u32 rop32(unsigned f3, u32 f7, unsigned rd, unsigned rs1, unsigned rs2) { return r_type(opc::kOp32, rd, f3, rs1, rs2, f7); }
inline u32 add(unsigned rd, unsigned a, unsigned b) { return rop(0, 0, rd, a, b); }
inline u32 sub(unsigned rd, unsigned a, unsigned b) { return rop(0, 0x20, rd, a, b); }
inline u32 sll(unsigned rd, unsigned a, unsigned b) { return rop(1, 0, rd, a, b); }
inline u32 slt(unsigned rd, unsigned a, unsigned b) { return rop(2, 0, rd, a, b); }
inline u32 sltu(unsigned rd, unsigned a, unsigned b) { return rop(3, 0, rd, a, b); }
inline u32 sra(unsigned rd, unsigned a, unsigned b) { return rop(5, 0x20, rd, a, b); }
inline u32 mul(unsigned rd, unsigned a, unsigned b) { return rop(0, 1, rd, a, b); }
inline u32 mulh(unsigned rd, unsigned a, unsigned b) { return rop(1, 1, rd, a, b); }
inline u32 mulhsu(unsigned rd, unsigned a, unsigned b) { return rop(2, 1, rd, a, b); }
inline u32 mulhu(unsigned rd, unsigned a, unsigned b) { return rop(3, 1, rd, a, b); }
inline u32 div(unsigned rd, unsigned a, unsigned b) { return rop(4, 1, rd, a, b); }
inline u32 divu(unsigned rd, unsigned a, unsigned b) { return rop(5, 1, rd, a, b); }
inline u32 rem(unsigned rd, unsigned a, unsigned b) { return rop(6, 1, rd, a, b); }
inline u32 remu(unsigned rd, unsigned a, unsigned b) { return rop(7, 1, rd, a, b); }
inline u32 addw(unsigned rd, unsigned a, unsigned b) { return rop32(0, 0, rd, a, b); }
inline u32 subw(unsigned rd, unsigned a, unsigned b) { return rop32(0, 0x20, rd, a, b); }
inline u32 sraw(unsigned rd, unsigned a, unsigned b) { return rop32(5, 0x20, rd, a, b); }
inline u32 mulw(unsigned rd, unsigned a, unsigned b) { return rop32(0, 1, rd, a, b); }
inline u32 divw(unsigned rd, unsigned a, unsigned b) { return rop32(4, 1, rd, a, b); }
inline u32 divuw(unsigned rd, unsigned a, unsigned b) { return rop32(5, 1, rd, a, b); }
inline u32 remw(unsigned rd, unsigned a, unsigned b) { return rop32(6, 1, rd, a, b); }
inline u32 remuw(unsigned rd, unsigned a, unsigned b) { return rop32(7, 1, rd, a, b); }

inline u32 lb(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 0, rs1, off); }
inline u32 lh(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 1, rs1, off); }
inline u32 lw(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 2, rs1, off); }
inline u32 ld(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 3, rs1, off); }
inline u32 lbu(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 4, rs1, off); }
inline u32 lhu(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 5, rs1, off); }
inline u32 lwu(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoad, rd, 6, rs1, off); }
inline u32 sb(unsigned rs2, unsigned rs1, int off) { return s_type(opc::kStore, 0, rs1, rs2, off); }
inline u32 sh(unsigned rs2, unsigned rs1, int off) { return s_type(opc::kStore, 1, rs1, rs2, off); }
inline u32 sw(unsigned rs2, unsigned rs1, int off) { return s_type(opc::kStore, 2, rs1, rs2, off); }
inline u32 sd(unsigned rs2, unsigned rs1, int off) { return s_type(opc::kStore, 3, rs1, rs2, off); }

inline u32 beq(unsigned a, unsigned b, int off) { return b_type(opc::kBranch, 0, a, b, off); }
inline u32 bne(unsigned a, unsigned b, int off) { return b_type(opc::kBranch, 1, a, b, off); }
inline u32 blt(unsigned a, unsigned b, int off) { return b_type(opc::kBranch, 4, a, b, off); }
inline u32 bgeu(unsigned a, unsigned b, int off) { return b_type(opc::kBranch, 7, a, b, off); }
inline u32 jal(unsigned rd, int off) { return j_type(opc::kJal, rd, off); }
inline u32 jalr(unsigned rd, unsigned rs1, int off) { return i_type(opc::kJalr, rd, 0, rs1, off); }

inline u32 csrrw(unsigned rd, unsigned csr, unsigned rs1) { return i_type(opc::kSystem, rd, 1, rs1, static_cast<int>(csr)); }
inline u32 csrrs(unsigned rd, unsigned csr, unsigned rs1) { return i_type(opc::kSystem, rd, 2, rs1, static_cast<int>(csr)); }
inline u32 csrrc(unsigned rd, unsigned csr, unsigned rs1) { return i_type(opc::kSystem, rd, 3, rs1, static_cast<int>(csr)); }
inline u32 csrrwi(unsigned rd, unsigned csr, unsigned imm) { return i_type(opc::kSystem, rd, 5, imm, static_cast<int>(csr)); }
inline u32 csrrsi(unsigned rd, unsigned csr, unsigned imm) { return i_type(opc::kSystem, rd, 6, imm, static_cast<int>(csr)); }
inline u32 csrr(unsigned rd, unsigned csr) { return csrrs(rd, csr, 0); }
inline u32 csrw(unsigned csr, unsigned rs1) { return csrrw(0, csr, rs1); }
inline constexpr u32 kEcall = 0x00000073, kEbreak = 0x00100073, kSret = 0x10200073, kMret = 0x30200073,
                     kWfi = 0x10500073, kFence = 0x0ff0000f, kFenceI = 0x0000100f, kNop = 0x00000013;
inline u32 sfence_vma(unsigned rs1, unsigned rs2) { return r_type(opc::kSystem, 0, 0, rs1, rs2, 0x09); }

inline u32 amo(unsigned funct5, unsigned width_f3, unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(opc::kAmo, rd, width_f3, rs1, rs2, funct5 << 2);
}
inline u32 lr_w(unsigned rd, unsigned rs1) { return amo(0x02, 2, rd, rs1, 0); }
inline u32 lr_d(unsigned rd, unsigned rs1) { return amo(0x02, 3, rd, rs1, 0); }
inline u32 sc_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x03, 2, rd, rs1, rs2); }
inline u32 sc_d(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x03, 3, rd, rs1, rs2); }
inline u32 amoadd_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x00, 2, rd, rs1, rs2); }
inline u32 amoswap_d(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x01, 3, rd, rs1, rs2); }
inline u32 amomin_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x10, 2, rd, rs1, rs2); }
inline u32 amomaxu_d(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x1c, 3, rd, rs1, rs2); }
inline u32 amoor_d(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x08, 3, rd, rs1, rs2); }

// F/D (fmt 0 = S, 1 = D).
inline u32 fop(unsigned funct5, unsigned fmt, unsigned rm, unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(opc::kOpFp, rd, rm, rs1, rs2, (funct5 << 2) | fmt);
}
inline u32 fld(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoadFp, rd, 3, rs1, off); }
inline u32 flw(unsigned rd, unsigned rs1, int off) { return i_type(opc::kLoadFp, rd, 2, rs1, off); }
inline u32 fsd(unsigned rs2, unsigned rs1, int off) { return s_type(opc::kStoreFp, 3, rs1, rs2, off); }
inline u32 fadd_d(unsigned rd, unsigned a, unsigned b, unsigned rm = 7) { return fop(0x00, 1, rm, rd, a, b); }
inline u32 fadd_s(unsigned rd, unsigned a, unsigned b, unsigned rm = 7) { return fop(0x00, 0, rm, rd, a, b); }
inline u32 fmv_d_x(unsigned rd, unsigned rs1) { return fop(0x1e, 1, 0, rd, rs1, 0); }
inline u32 fmv_x_d(unsigned rd, unsigned rs1) { return fop(0x1c, 1, 0, rd, rs1, 0); }
inline u32 fmv_w_x(unsigned rd, unsigned rs1) { return fop(0x1e, 0, 0, rd, rs1, 0); }
inline u32 fcvt_l_d(unsigned rd, unsigned rs1, unsigned rm = 7) { return fop(0x18, 1, rm, rd, rs1, 2); }
inline u32 fcvt_d_l(unsigned rd, unsigned rs1, unsigned rm = 7) { return fop(0x1a, 1, rm, rd, rs1, 2); }
inline u32 feq_d(unsigned rd, unsigned a, unsigned b) { return fop(0x14, 1, 2, rd, a, b); }
inline u32 fsgnjn_d(unsigned rd, unsigned a, unsigned b) { return fop(0x04, 1, 1, rd, a, b); }
inline u32 fmadd_d(unsigned rd, unsigned a, unsigned b, unsigned c, unsigned rm = 7) {
  return r_type(opc::kMadd, rd, rm, a, b, (c << 2) | 1);
}

// A little-endian instruction stream.
class Program {
 public:
  Program& operator<<(u32 insn) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<std::uint8_t>(insn >> (8 * i)));
    return *this;
  }
  Program& c(std::uint16_t insn) {  // a compressed instruction
    bytes_.push_back(static_cast<std::uint8_t>(insn));
    bytes_.push_back(static_cast<std::uint8_t>(insn >> 8));
    return *this;
  }
  // Loads a 64-bit constant into rd (lui/addi/slli chain), for tests.
  Program& li(unsigned rd, std::uint64_t value);
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::vector<std::uint8_t> bytes_;
};

inline Program& Program::li(unsigned rd, std::uint64_t value) {
  // Build from the top 32 bits down: value = hi32 << 32 + 4 x 8-bit chunks.
  auto hi = static_cast<std::int64_t>(value) >> 32;
  auto hi32 = static_cast<std::int32_t>(hi);
  std::uint32_t upper = (static_cast<std::uint32_t>(hi32) + 0x800u) & ~0xfffu;
  auto lower = static_cast<std::int32_t>(static_cast<std::uint32_t>(hi32) - upper);
  *this << lui(rd, static_cast<std::int32_t>(upper)) << addiw(rd, rd, lower);
  for (int shift = 24; shift >= 0; shift -= 8) {
    *this << slli(rd, rd, 8) << ori(rd, rd, static_cast<int>((value >> shift) & 0xff));
  }
  return *this;
}

}  // namespace ftvm::machine::test_asm
