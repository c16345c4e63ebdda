// SYSTEM and MISC-MEM: Zicsr, ecall/ebreak, xRET, WFI, SFENCE.VMA, FENCE,
// FENCE.I. These end the inner loop (return nullptr) whenever they may change
// what the outer loop looks at: interrupts, translation, privilege.
#include "machine/cpu/engine.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;

enum class CsrOp { kWrite, kSet, kClear };

// imm = CSR number; rs1 = source register, or the 5-bit uimm when Imm.
template <CsrOp Kind, bool Imm>
const Op* op_csr(Engine& e, const Op* op) {
  auto num = static_cast<unsigned>(op->imm);
  u64 src = Imm ? op->rs1 : e.x[op->rs1];
  // CSRRS/CSRRC with a zero source do not write (no write-permission check).
  bool writes = Kind == CsrOp::kWrite || op->rs1 != 0;
  u64 old = 0;
  if (!e.csr_read(num, old)) return e.raise_illegal();
  if (writes) {
    // mip read-modify-write uses the software SEIP bit, not the line.
    u64 base = num == csrn::kMip ? e.csr.mip_software | (e.csr.mip_lines & ~(1ull << 9)) : old;
    u64 value = Kind == CsrOp::kWrite ? src : Kind == CsrOp::kSet ? base | src : base & ~src;
    if (!e.csr_write(num, value)) return e.raise_illegal();
  }
  e.x[op->rd] = old;
  e.irq_check = true;
  e.next(op);
  return nullptr;
}

const Op* op_ecall(Engine& e, const Op*) {
  static constexpr u64 kCause[4] = {cause::kEcallU, cause::kEcallS, 0, cause::kEcallM};
  return e.raise(kCause[e.priv], 0);
}

const Op* op_ebreak(Engine& e, const Op*) { return e.raise(cause::kBreakpoint, e.pc); }

const Op* op_mret(Engine& e, const Op* op) { return e.do_mret(op); }
const Op* op_sret(Engine& e, const Op* op) { return e.do_sret(op); }

const Op* op_wfi(Engine& e, const Op* op) {
  // The wait time limit is zero: in U always, in S with TW, WFI is illegal.
  if (e.priv == kPrivU || (e.priv == kPrivS && (e.csr.mstatus & mstatus::kTw))) return e.raise_illegal();
  e.next(op);
  if ((e.csr.mip() & e.csr.mie) == 0) e.wfi = true;
  return nullptr;
}

const Op* op_sfence_vma(Engine& e, const Op* op) {
  if (e.priv == kPrivU || (e.priv == kPrivS && (e.csr.mstatus & mstatus::kTvm))) return e.raise_illegal();
  if (op->rs1 != 0)
    e.tlb.flush_page(e.x[op->rs1]);
  else
    e.tlb.flush_all();
  e.next(op);
  return nullptr;
}

const Op* op_fence(Engine& e, const Op* op) { return e.next(op); }

// The decode cache is kept coherent with every write to a code page, so
// FENCE.I has nothing to flush; it still ends the block.
const Op* op_fence_i(Engine& e, const Op* op) {
  e.next(op);
  return nullptr;
}

bool decode_privileged(std::uint32_t insn, Op& op) {
  switch (insn) {
    case 0x00000073u: op.fn = op_ecall; return true;
    case 0x00100073u: op.fn = op_ebreak; return true;
    case 0x10200073u: op.fn = op_sret; return true;
    case 0x30200073u: op.fn = op_mret; return true;
    case 0x10500073u: op.fn = op_wfi; return true;
    default: break;
  }
  if ((insn >> 25) == 0x09 && ((insn >> 7) & 31) == 0) {  // sfence.vma
    op.fn = op_sfence_vma;
    op.rs1 = static_cast<std::uint8_t>((insn >> 15) & 31);
    op.rs2 = static_cast<std::uint8_t>((insn >> 20) & 31);
    return true;
  }
  return false;
}

}  // namespace

bool decode_system(std::uint32_t insn, Op& op) {
  unsigned funct3 = (insn >> 12) & 7;
  if ((insn & 0x7f) == rv::opc::kMiscMem) {
    if (funct3 == 0) op.fn = op_fence;  // also fence.tso and pause
    else if (funct3 == 1) op.fn = op_fence_i;
    else return false;
    return true;
  }
  if (funct3 == 0) return decode_privileged(insn, op);
  static constexpr Handler kCsr[8] = {nullptr,
                                      op_csr<CsrOp::kWrite, false>,
                                      op_csr<CsrOp::kSet, false>,
                                      op_csr<CsrOp::kClear, false>,
                                      nullptr,
                                      op_csr<CsrOp::kWrite, true>,
                                      op_csr<CsrOp::kSet, true>,
                                      op_csr<CsrOp::kClear, true>};
  if (kCsr[funct3] == nullptr) return false;
  op.fn = kCsr[funct3];
  op.imm = static_cast<std::int32_t>(insn >> 20);
  op.rd = xd((insn >> 7) & 31);
  op.rs1 = static_cast<std::uint8_t>((insn >> 15) & 31);
  return true;
}

}  // namespace ftvm::machine::cpu
