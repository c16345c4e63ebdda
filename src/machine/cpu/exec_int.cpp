// RV64I register/immediate arithmetic, LUI/AUIPC, and the M extension.
#include <limits>

#include "machine/cpu/engine.h"
#include "machine/cpu/op_kind.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

u64 sx32(u64 v) { return static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(v))); }

u64 add(u64 a, u64 b) { return a + b; }
u64 sub(u64 a, u64 b) { return a - b; }
u64 sll(u64 a, u64 b) { return a << (b & 63); }
u64 slt(u64 a, u64 b) { return static_cast<i64>(a) < static_cast<i64>(b); }
u64 sltu(u64 a, u64 b) { return a < b; }
u64 xor_(u64 a, u64 b) { return a ^ b; }
u64 srl(u64 a, u64 b) { return a >> (b & 63); }
u64 sra(u64 a, u64 b) { return static_cast<u64>(static_cast<i64>(a) >> (b & 63)); }
u64 or_(u64 a, u64 b) { return a | b; }
u64 and_(u64 a, u64 b) { return a & b; }
u64 addw(u64 a, u64 b) { return sx32(a + b); }
u64 subw(u64 a, u64 b) { return sx32(a - b); }
u64 sllw(u64 a, u64 b) { return sx32(static_cast<std::uint32_t>(a) << (b & 31)); }
u64 srlw(u64 a, u64 b) { return sx32(static_cast<std::uint32_t>(a) >> (b & 31)); }
u64 sraw(u64 a, u64 b) { return sx32(static_cast<u64>(static_cast<std::int32_t>(a) >> (b & 31))); }

u64 mul(u64 a, u64 b) { return a * b; }
u64 mulh(u64 a, u64 b) {
  return static_cast<u64>((static_cast<__int128>(static_cast<i64>(a)) * static_cast<i64>(b)) >> 64);
}
u64 mulhsu(u64 a, u64 b) {
  return static_cast<u64>((static_cast<__int128>(static_cast<i64>(a)) * static_cast<unsigned __int128>(b)) >> 64);
}
u64 mulhu(u64 a, u64 b) { return static_cast<u64>((static_cast<unsigned __int128>(a) * b) >> 64); }
// Division never traps: by zero gives all ones (quotient) / the dividend
// (remainder); the one signed overflow gives the dividend / zero.
u64 div(u64 a, u64 b) {
  auto sa = static_cast<i64>(a), sb = static_cast<i64>(b);
  if (sb == 0) return ~0ull;
  if (sa == std::numeric_limits<i64>::min() && sb == -1) return a;
  return static_cast<u64>(sa / sb);
}
u64 divu(u64 a, u64 b) { return b == 0 ? ~0ull : a / b; }
u64 rem(u64 a, u64 b) {
  auto sa = static_cast<i64>(a), sb = static_cast<i64>(b);
  if (sb == 0) return a;
  if (sa == std::numeric_limits<i64>::min() && sb == -1) return 0;
  return static_cast<u64>(sa % sb);
}
u64 remu(u64 a, u64 b) { return b == 0 ? a : a % b; }
u64 mulw(u64 a, u64 b) { return sx32(a * b); }
u64 divw(u64 a, u64 b) {
  auto sa = static_cast<std::int32_t>(a), sb = static_cast<std::int32_t>(b);
  if (sb == 0) return ~0ull;
  if (sa == std::numeric_limits<std::int32_t>::min() && sb == -1) return sx32(static_cast<u64>(sa));
  return sx32(static_cast<u64>(sa / sb));
}
u64 divuw(u64 a, u64 b) {
  auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  return ub == 0 ? ~0ull : sx32(ua / ub);
}
u64 remw(u64 a, u64 b) {
  auto sa = static_cast<std::int32_t>(a), sb = static_cast<std::int32_t>(b);
  if (sb == 0) return sx32(a);
  if (sa == std::numeric_limits<std::int32_t>::min() && sb == -1) return 0;
  return sx32(static_cast<u64>(sa % sb));
}
u64 remuw(u64 a, u64 b) {
  auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  return ub == 0 ? sx32(ua) : sx32(ua % ub);
}

template <u64 (*F)(u64, u64)>
const Op* reg_reg(Engine& e, const Op* op) {
  e.x[op->rd] = F(e.x[op->rs1], e.x[op->rs2]);
  return e.next(op);
}

template <u64 (*F)(u64, u64)>
const Op* reg_imm(Engine& e, const Op* op) {
  e.x[op->rd] = F(e.x[op->rs1], static_cast<u64>(static_cast<i64>(op->imm)));
  return e.next(op);
}

const Op* op_nop(Engine& e, const Op* op) { return e.next(op); }

const Op* op_lui(Engine& e, const Op* op) {
  e.x[op->rd] = static_cast<u64>(static_cast<i64>(op->imm));
  return e.next(op);
}

const Op* op_auipc(Engine& e, const Op* op) {
  e.x[op->rd] = e.pc + static_cast<u64>(static_cast<i64>(op->imm));
  return e.next(op);
}

Handler op_imm_handler(unsigned funct3, std::uint32_t insn, std::int32_t& imm) {
  unsigned funct6 = insn >> 26;
  switch (funct3) {
    case 0: return reg_imm<add>;
    case 2: return reg_imm<slt>;
    case 3: return reg_imm<sltu>;
    case 4: return reg_imm<xor_>;
    case 6: return reg_imm<or_>;
    case 7: return reg_imm<and_>;
    case 1:
      imm &= 63;
      return funct6 == 0 ? reg_imm<sll> : nullptr;
    default:  // 5
      imm &= 63;
      if (funct6 == 0) return reg_imm<srl>;
      return funct6 == 0x10 ? reg_imm<sra> : nullptr;
  }
}

Handler op_imm32_handler(unsigned funct3, std::uint32_t insn, std::int32_t& imm) {
  unsigned funct7 = insn >> 25;
  switch (funct3) {
    case 0: return reg_imm<addw>;
    case 1:
      imm &= 31;
      return funct7 == 0 ? reg_imm<sllw> : nullptr;
    case 5:
      imm &= 31;
      if (funct7 == 0) return reg_imm<srlw>;
      return funct7 == 0x20 ? reg_imm<sraw> : nullptr;
    default: return nullptr;
  }
}

Handler op_handler(unsigned funct3, unsigned funct7) {
  static constexpr Handler kBase[8] = {reg_reg<add>, reg_reg<sll>, reg_reg<slt>, reg_reg<sltu>,
                                       reg_reg<xor_>, reg_reg<srl>, reg_reg<or_>, reg_reg<and_>};
  static constexpr Handler kMul[8] = {reg_reg<mul>, reg_reg<mulh>, reg_reg<mulhsu>, reg_reg<mulhu>,
                                      reg_reg<div>, reg_reg<divu>, reg_reg<rem>, reg_reg<remu>};
  if (funct7 == 0) return kBase[funct3];
  if (funct7 == 1) return kMul[funct3];
  if (funct7 == 0x20 && funct3 == 0) return reg_reg<sub>;
  if (funct7 == 0x20 && funct3 == 5) return reg_reg<sra>;
  return nullptr;
}

Handler op32_handler(unsigned funct3, unsigned funct7) {
  if (funct7 == 0) {
    if (funct3 == 0) return reg_reg<addw>;
    if (funct3 == 1) return reg_reg<sllw>;
    if (funct3 == 5) return reg_reg<srlw>;
    return nullptr;
  }
  if (funct7 == 0x20) {
    if (funct3 == 0) return reg_reg<subw>;
    if (funct3 == 5) return reg_reg<sraw>;
    return nullptr;
  }
  if (funct7 == 1) {
    static constexpr Handler kMulW[8] = {reg_reg<mulw>, nullptr, nullptr, nullptr,
                                         reg_reg<divw>, reg_reg<divuw>, reg_reg<remw>, reg_reg<remuw>};
    return kMulW[funct3];
  }
  return nullptr;
}

}  // namespace

bool decode_int(std::uint32_t insn, Op& op) {
  unsigned rd = (insn >> 7) & 31, funct3 = (insn >> 12) & 7, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
  std::int32_t imm = static_cast<std::int32_t>(insn) >> 20;
  Handler h = nullptr;
  switch (insn & 0x7f) {
    case rv::opc::kLui:
      h = op_lui;
      imm = static_cast<std::int32_t>(insn & 0xfffff000u);
      break;
    case rv::opc::kAuipc:
      h = op_auipc;
      imm = static_cast<std::int32_t>(insn & 0xfffff000u);
      break;
    case rv::opc::kOpImm: h = op_imm_handler(funct3, insn, imm); break;
    case rv::opc::kOpImm32: h = op_imm32_handler(funct3, insn, imm); break;
    case rv::opc::kOp: h = op_handler(funct3, insn >> 25); break;
    case rv::opc::kOp32: h = op32_handler(funct3, insn >> 25); break;
    default: return false;
  }
  if (h == nullptr) return false;
  // Writes to x0 have no effect at all: skip the work.
  if (rd == 0) h = op_nop;
  op.fn = h;
  op.imm = imm;
  op.rd = xd(rd);
  op.rs1 = static_cast<std::uint8_t>(rs1);
  op.rs2 = static_cast<std::uint8_t>(rs2);
  return true;
}

bool describe_int_op(Handler h, OpInfo& info) {
  struct Entry {
    Handler reg, imm;
    OpKind kind;
  };
  static constexpr Entry kTable[] = {
      {reg_reg<add>, reg_imm<add>, OpKind::kAdd},    {reg_reg<sub>, nullptr, OpKind::kSub},
      {reg_reg<sll>, reg_imm<sll>, OpKind::kSll},    {reg_reg<slt>, reg_imm<slt>, OpKind::kSlt},
      {reg_reg<sltu>, reg_imm<sltu>, OpKind::kSltu}, {reg_reg<xor_>, reg_imm<xor_>, OpKind::kXor},
      {reg_reg<srl>, reg_imm<srl>, OpKind::kSrl},    {reg_reg<sra>, reg_imm<sra>, OpKind::kSra},
      {reg_reg<or_>, reg_imm<or_>, OpKind::kOr},     {reg_reg<and_>, reg_imm<and_>, OpKind::kAnd},
      {reg_reg<addw>, reg_imm<addw>, OpKind::kAddw}, {reg_reg<subw>, nullptr, OpKind::kSubw},
      {reg_reg<sllw>, reg_imm<sllw>, OpKind::kSllw}, {reg_reg<srlw>, reg_imm<srlw>, OpKind::kSrlw},
      {reg_reg<sraw>, reg_imm<sraw>, OpKind::kSraw}, {reg_reg<mul>, nullptr, OpKind::kMul},
      {reg_reg<mulw>, nullptr, OpKind::kMulw},
  };
  for (const Entry& entry : kTable) {
    if (h == entry.reg || (entry.imm != nullptr && h == entry.imm)) {
      info = {entry.kind, h == entry.imm};
      return true;
    }
  }
  if (h == op_nop) info = {OpKind::kNop, false};
  else if (h == op_lui) info = {OpKind::kLui, true};
  else if (h == op_auipc) info = {OpKind::kAuipc, true};
  else return false;
  return true;
}

}  // namespace ftvm::machine::cpu
