// Top-level decode: routes a 32-bit instruction to its group's decoder.
// Anything no group accepts becomes an op that raises illegal-instruction
// with the instruction's own bits in xtval.
#include "machine/cpu/engine.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

const Op* op_illegal(Engine& e, const Op* op) {
  return e.raise(cause::kIllegal, static_cast<std::uint32_t>(op->imm));
}

}  // namespace

Op decode(std::uint32_t insn, unsigned len) {
  Op op{nullptr, 0, 0, 0, 0, static_cast<std::uint8_t>(len)};
  bool ok = false;
  if ((insn & 3) == 3) {
    switch (insn & 0x7f) {
      case rv::opc::kOpImm:
      case rv::opc::kOpImm32:
      case rv::opc::kOp:
      case rv::opc::kOp32:
      case rv::opc::kLui:
      case rv::opc::kAuipc:
        ok = decode_int(insn, op);
        break;
      case rv::opc::kBranch:
      case rv::opc::kJal:
      case rv::opc::kJalr:
        ok = decode_branch(insn, op);
        break;
      case rv::opc::kLoad:
      case rv::opc::kStore:
        ok = decode_mem(insn, op);
        break;
      case rv::opc::kAmo:
        ok = decode_amo(insn, op);
        break;
      case rv::opc::kLoadFp:
      case rv::opc::kStoreFp:
      case rv::opc::kOpFp:
      case rv::opc::kMadd:
      case rv::opc::kMsub:
      case rv::opc::kNmsub:
      case rv::opc::kNmadd:
        ok = decode_fp(insn, op);
        break;
      case rv::opc::kSystem:
      case rv::opc::kMiscMem:
        ok = decode_system(insn, op);
        break;
      default:
        break;
    }
  }
  if (!ok) op = Op{op_illegal, static_cast<std::int32_t>(insn), 0, 0, 0, static_cast<std::uint8_t>(len)};
  op.len = static_cast<std::uint8_t>(len);
  return op;
}

}  // namespace ftvm::machine::cpu
