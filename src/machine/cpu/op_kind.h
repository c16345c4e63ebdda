#pragma once
// What a decoded op does, for the block translator: the interpreter only
// knows ops by their handler pointer, so each exec_*.cpp maps its own
// handlers back to an operation. Ops not listed here are still translated,
// as calls to their handler.
#include <cstdint>

#include "machine/cpu/op.h"

namespace ftvm::machine::cpu {

enum class OpKind : std::uint8_t {
  kOther,  // anything else: the translator calls the handler
  kNop,    // integer op whose destination is x0
  // Integer ALU, register-register (rs2) or register-immediate (imm) form.
  kAdd, kSub, kSll, kSlt, kSltu, kXor, kSrl, kSra, kOr, kAnd,
  kAddw, kSubw, kSllw, kSrlw, kSraw, kMul, kMulw,
  kLui, kAuipc,
  // Control transfer.
  kBeq, kBne, kBlt, kBge, kBltu, kBgeu, kJal, kJalr,
  // Integer memory access.
  kLb, kLh, kLw, kLd, kLbu, kLhu, kLwu, kSb, kSh, kSw, kSd,
};

struct OpInfo {
  OpKind kind = OpKind::kOther;
  bool immediate = false;  // ALU ops: operand 2 is op.imm instead of x[rs2]
};

// Each returns true and fills `info` when `h` is one of its file's handlers.
bool describe_int_op(Handler h, OpInfo& info);
bool describe_branch_op(Handler h, OpInfo& info);
bool describe_mem_op(Handler h, OpInfo& info);

inline OpInfo describe_op(Handler h) {
  OpInfo info;
  if (describe_int_op(h, info) || describe_branch_op(h, info) || describe_mem_op(h, info)) return info;
  return {};
}

}  // namespace ftvm::machine::cpu
