#pragma once
// A pre-decoded instruction. The decode cache holds one per 2-byte slot of a
// code page; the interpreter calls `fn` directly (direct threading), so the
// raw bits are looked at once, when the slot is first executed.
#include <cstdint>

#include "machine/cpu/hart.h"

namespace ftvm::machine::cpu {

using Engine = Hart::Engine;
struct Op;

// Executes `op` and returns the next op to run when it lies in the same code
// page and nothing needs the outer loop's attention; otherwise nullptr (the
// pc has been updated either way).
using Handler = const Op* (*)(Engine& e, const Op* op);

struct Op {
  Handler fn;
  // Immediate, CSR number, raw bits of an illegal instruction, or for FP ops
  // the rounding mode (bits 0-2) and rs3 (bits 8-12).
  std::int32_t imm;
  std::uint8_t rd;   // integer destinations: x0 is mapped to the sink register 32
  std::uint8_t rs1;  // also the zero-extended uimm of CSR*I
  std::uint8_t rs2;
  std::uint8_t len;  // 2 or 4
};
static_assert(sizeof(Op) == 16, "ops must stay compact: a decoded page holds 2049 of them");

// Integer register index as a destination: x0 writes land in a sink.
inline constexpr std::uint8_t kSinkReg = 32;
constexpr std::uint8_t xd(unsigned rd) { return rd == 0 ? kSinkReg : static_cast<std::uint8_t>(rd); }

}  // namespace ftvm::machine::cpu
