// Conditional branches, JAL and JALR. Targets in the same page continue in
// the decoded page without leaving the inner loop.
#include "machine/cpu/engine.h"
#include "machine/cpu/op_kind.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

bool eq(u64 a, u64 b) { return a == b; }
bool ne(u64 a, u64 b) { return a != b; }
bool lt(u64 a, u64 b) { return static_cast<i64>(a) < static_cast<i64>(b); }
bool ge(u64 a, u64 b) { return static_cast<i64>(a) >= static_cast<i64>(b); }
bool ltu(u64 a, u64 b) { return a < b; }
bool geu(u64 a, u64 b) { return a >= b; }

template <bool (*Cond)(u64, u64)>
const Op* branch(Engine& e, const Op* op) {
  if (Cond(e.x[op->rs1], e.x[op->rs2])) return e.jump(op, e.pc + static_cast<u64>(static_cast<i64>(op->imm)));
  return e.next(op);
}

const Op* op_jal(Engine& e, const Op* op) {
  u64 link = e.pc + op->len;
  const Op* n = e.jump(op, e.pc + static_cast<u64>(static_cast<i64>(op->imm)));
  e.x[op->rd] = link;
  return n;
}

const Op* op_jalr(Engine& e, const Op* op) {
  u64 target = (e.x[op->rs1] + static_cast<u64>(static_cast<i64>(op->imm))) & ~1ull;
  u64 link = e.pc + op->len;
  e.x[op->rd] = link;  // after reading rs1: rd may equal rs1
  return e.jump(op, target);
}

}  // namespace

bool decode_branch(std::uint32_t insn, Op& op) {
  unsigned rd = (insn >> 7) & 31, funct3 = (insn >> 12) & 7;
  op.rd = xd(rd);
  op.rs1 = static_cast<std::uint8_t>((insn >> 15) & 31);
  op.rs2 = static_cast<std::uint8_t>((insn >> 20) & 31);
  switch (insn & 0x7f) {
    case rv::opc::kJal: {
      std::uint32_t v = (((insn >> 31) & 1) << 20) | (((insn >> 21) & 0x3ff) << 1) | (((insn >> 20) & 1) << 11) |
                        (((insn >> 12) & 0xff) << 12);
      op.imm = static_cast<std::int32_t>(v << 11) >> 11;
      op.fn = op_jal;
      return true;
    }
    case rv::opc::kJalr:
      if (funct3 != 0) return false;
      op.imm = static_cast<std::int32_t>(insn) >> 20;
      op.fn = op_jalr;
      return true;
    default: {
      static constexpr Handler kBranches[8] = {branch<eq>, branch<ne>, nullptr,     nullptr,
                                               branch<lt>, branch<ge>, branch<ltu>, branch<geu>};
      if (kBranches[funct3] == nullptr) return false;
      std::uint32_t v = (((insn >> 31) & 1) << 12) | (((insn >> 25) & 0x3f) << 5) | (((insn >> 8) & 0xf) << 1) |
                        (((insn >> 7) & 1) << 11);
      op.imm = static_cast<std::int32_t>(v << 19) >> 19;
      op.fn = kBranches[funct3];
      return true;
    }
  }
}

bool describe_branch_op(Handler h, OpInfo& info) {
  struct Entry {
    Handler fn;
    OpKind kind;
  };
  static constexpr Entry kTable[] = {
      {branch<eq>, OpKind::kBeq},   {branch<ne>, OpKind::kBne},   {branch<lt>, OpKind::kBlt},
      {branch<ge>, OpKind::kBge},   {branch<ltu>, OpKind::kBltu}, {branch<geu>, OpKind::kBgeu},
      {op_jal, OpKind::kJal},       {op_jalr, OpKind::kJalr},
  };
  for (const Entry& entry : kTable) {
    if (h == entry.fn) {
      info = {entry.kind, true};
      return true;
    }
  }
  return false;
}

}  // namespace ftvm::machine::cpu
