// RV64C: every compressed instruction is rewritten as the 32-bit instruction
// it stands for, so one decoder and one set of handlers serve both.
#include "machine/cpu/engine.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

using namespace rv;

constexpr std::uint32_t bits(std::uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr std::int32_t sext(std::uint32_t v, unsigned width) {
  return static_cast<std::int32_t>(v << (32 - width)) >> (32 - width);
}
// The 3-bit register fields of the CIW/CL/CS/CA/CB formats name x8..x15.
constexpr unsigned reg3(std::uint32_t v) { return 8 + v; }

std::uint32_t quadrant0(std::uint32_t c) {
  unsigned rd = reg3(bits(c, 4, 2));
  unsigned rs1 = reg3(bits(c, 9, 7));
  std::uint32_t off_d = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);  // ld/sd/fld/fsd
  std::uint32_t off_w = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
  switch (bits(c, 15, 13)) {
    case 0: {  // c.addi4spn
      std::uint32_t imm =
          (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 3);
      if (imm == 0) return 0;
      return i_type(opc::kOpImm, rd, 0, 2, static_cast<std::int32_t>(imm));
    }
    case 1: return i_type(opc::kLoadFp, rd, 3, rs1, static_cast<std::int32_t>(off_d));  // c.fld
    case 2: return i_type(opc::kLoad, rd, 2, rs1, static_cast<std::int32_t>(off_w));    // c.lw
    case 3: return i_type(opc::kLoad, rd, 3, rs1, static_cast<std::int32_t>(off_d));    // c.ld
    case 5: return s_type(opc::kStoreFp, 3, rs1, rd, static_cast<std::int32_t>(off_d)); // c.fsd
    case 6: return s_type(opc::kStore, 2, rs1, rd, static_cast<std::int32_t>(off_w));   // c.sw
    case 7: return s_type(opc::kStore, 3, rs1, rd, static_cast<std::int32_t>(off_d));   // c.sd
    default: return 0;
  }
}

std::uint32_t misc_alu(std::uint32_t c) {
  unsigned rd = reg3(bits(c, 9, 7));
  unsigned rs2 = reg3(bits(c, 4, 2));
  std::uint32_t shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
  switch (bits(c, 11, 10)) {
    case 0: return i_type(opc::kOpImm, rd, 5, rd, static_cast<std::int32_t>(shamt));  // c.srli
    case 1: return i_type(opc::kOpImm, rd, 5, rd, static_cast<std::int32_t>(shamt | 0x400));  // c.srai
    case 2: return i_type(opc::kOpImm, rd, 7, rd, sext(shamt, 6));  // c.andi
    default: break;
  }
  static constexpr struct { unsigned f3; std::uint32_t f7; } kAlu[4] = {{0, 0x20}, {4, 0}, {6, 0}, {7, 0}};
  unsigned sel = bits(c, 6, 5);
  if (bits(c, 12, 12) == 0) return r_type(opc::kOp, rd, kAlu[sel].f3, rd, rs2, kAlu[sel].f7);  // sub xor or and
  if (sel == 0) return r_type(opc::kOp32, rd, 0, rd, rs2, 0x20);  // c.subw
  if (sel == 1) return r_type(opc::kOp32, rd, 0, rd, rs2, 0);     // c.addw
  return 0;
}

std::uint32_t quadrant1(std::uint32_t c) {
  unsigned rd = bits(c, 11, 7);
  std::int32_t imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  switch (bits(c, 15, 13)) {
    case 0: return i_type(opc::kOpImm, rd, 0, rd, imm6);  // c.addi / c.nop
    case 1:  // c.addiw
      if (rd == 0) return 0;
      return i_type(opc::kOpImm32, rd, 0, rd, imm6);
    case 2: return i_type(opc::kOpImm, rd, 0, 0, imm6);  // c.li
    case 3:
      if (rd == 2) {  // c.addi16sp
        std::uint32_t v = (bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) |
                          (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5);
        if (v == 0) return 0;
        return i_type(opc::kOpImm, 2, 0, 2, sext(v, 10));
      } else {  // c.lui
        if (imm6 == 0) return 0;
        return u_type(opc::kLui, rd, imm6 << 12);
      }
    case 4: return misc_alu(c);
    case 5: {  // c.j
      std::uint32_t v = (bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) |
                        (bits(c, 8, 8) << 10) | (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) | (bits(c, 5, 3) << 1) |
                        (bits(c, 2, 2) << 5);
      return j_type(opc::kJal, 0, sext(v, 12));
    }
    default: {  // c.beqz / c.bnez
      std::uint32_t v = (bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) |
                        (bits(c, 4, 3) << 1) | (bits(c, 2, 2) << 5);
      return b_type(opc::kBranch, bits(c, 15, 13) == 6 ? 0 : 1, reg3(bits(c, 9, 7)), 0, sext(v, 9));
    }
  }
}

std::uint32_t quadrant2(std::uint32_t c) {
  unsigned rd = bits(c, 11, 7);
  unsigned rs2 = bits(c, 6, 2);
  std::uint32_t off_d = (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);  // ldsp/fldsp
  std::uint32_t off_w = (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);  // lwsp
  std::uint32_t soff_d = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);                        // sdsp/fsdsp
  std::uint32_t soff_w = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);                         // swsp
  switch (bits(c, 15, 13)) {
    case 0:  // c.slli
      return i_type(opc::kOpImm, rd, 1, rd, static_cast<std::int32_t>((bits(c, 12, 12) << 5) | rs2));
    case 1: return i_type(opc::kLoadFp, rd, 3, 2, static_cast<std::int32_t>(off_d));  // c.fldsp
    case 2:  // c.lwsp
      if (rd == 0) return 0;
      return i_type(opc::kLoad, rd, 2, 2, static_cast<std::int32_t>(off_w));
    case 3:  // c.ldsp
      if (rd == 0) return 0;
      return i_type(opc::kLoad, rd, 3, 2, static_cast<std::int32_t>(off_d));
    case 4:
      if (bits(c, 12, 12) == 0) {
        if (rs2 == 0) return rd == 0 ? 0 : i_type(opc::kJalr, 0, 0, rd, 0);  // c.jr
        return r_type(opc::kOp, rd, 0, 0, rs2, 0);                           // c.mv
      }
      if (rs2 == 0) return rd == 0 ? 0x00100073u : i_type(opc::kJalr, 1, 0, rd, 0);  // c.ebreak / c.jalr
      return r_type(opc::kOp, rd, 0, rd, rs2, 0);                                   // c.add
    case 5: return s_type(opc::kStoreFp, 3, 2, rs2, static_cast<std::int32_t>(soff_d));  // c.fsdsp
    case 6: return s_type(opc::kStore, 2, 2, rs2, static_cast<std::int32_t>(soff_w));    // c.swsp
    default: return s_type(opc::kStore, 3, 2, rs2, static_cast<std::int32_t>(soff_d));   // c.sdsp
  }
}

}  // namespace

std::uint32_t expand_compressed(std::uint16_t c) {
  switch (c & 3) {
    case 0: return quadrant0(c);
    case 1: return quadrant1(c);
    case 2: return quadrant2(c);
    default: return 0;
  }
}

}  // namespace ftvm::machine::cpu
