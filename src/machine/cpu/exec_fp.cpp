// F and D: loads/stores, arithmetic through the deterministic soft FPU,
// conversions, moves, compares, classify. Single values live NaN-boxed in
// the 64-bit registers; an improperly boxed input reads as the canonical NaN.
#include "machine/cpu/engine.h"
#include "machine/cpu/rv_encoding.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;
using fpu::Rounding;

struct F32 {
  using T = std::uint32_t;
  static constexpr T kSign = 0x80000000u;
  static T get(const Engine& e, unsigned r) {
    u64 v = e.f[r];
    return (v >> 32) == 0xffffffffu ? static_cast<T>(v) : fpu::kCanonicalNan32;
  }
  static void set(Engine& e, unsigned r, T v) { e.f[r] = 0xffffffff00000000ull | v; }
};

struct F64 {
  using T = std::uint64_t;
  static constexpr T kSign = 1ull << 63;
  static T get(const Engine& e, unsigned r) { return e.f[r]; }
  static void set(Engine& e, unsigned r, T v) { e.f[r] = v; }
};

// Rounding mode of an op: its rm field, or frm when dynamic. false: illegal.
bool rounding(const Engine& e, const Op* op, Rounding& rm) {
  unsigned m = op->imm & 7;
  if (m == 7) m = e.csr.frm;
  if (m > 4) return false;
  rm = static_cast<Rounding>(m);
  return true;
}

// The flags an arithmetic op starts from: NX when fflags already holds it.
// The result is OR-ed back, so this changes nothing guest-visible, but it lets
// the FPU skip proving exactness once NX is sticky (most FP code runs that way).
std::uint8_t sticky_inexact(const Engine& e) { return e.csr.fflags & fpu::kInexact; }

void finish(Engine& e, std::uint8_t flags) {
  e.csr.fflags |= flags;
  e.mark_fp_dirty();
}

template <typename Fmt, typename Fmt::T (*Fn)(typename Fmt::T, typename Fmt::T, Rounding, std::uint8_t&)>
const Op* fp_arith(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = sticky_inexact(e);
  Fmt::set(e, op->rd, Fn(Fmt::get(e, op->rs1), Fmt::get(e, op->rs2), rm, flags));
  finish(e, flags);
  return e.next(op);
}

template <typename Fmt, typename Fmt::T (*Fn)(typename Fmt::T, Rounding, std::uint8_t&)>
const Op* fp_sqrt(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = sticky_inexact(e);
  Fmt::set(e, op->rd, Fn(Fmt::get(e, op->rs1), rm, flags));
  finish(e, flags);
  return e.next(op);
}

// Negate flags: bit 0 negates the product (a), bit 1 the addend (c).
template <typename Fmt, typename Fmt::T (*Fn)(typename Fmt::T, typename Fmt::T, typename Fmt::T, Rounding,
                                              std::uint8_t&),
          unsigned Negate>
const Op* fp_fma(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  auto a = Fmt::get(e, op->rs1), b = Fmt::get(e, op->rs2), c = Fmt::get(e, (op->imm >> 8) & 31);
  if (Negate & 1) a ^= Fmt::kSign;
  if (Negate & 2) c ^= Fmt::kSign;
  std::uint8_t flags = sticky_inexact(e);
  Fmt::set(e, op->rd, Fn(a, b, c, rm, flags));
  finish(e, flags);
  return e.next(op);
}

template <typename Fmt, typename Fmt::T (*Fn)(typename Fmt::T, typename Fmt::T, std::uint8_t&)>
const Op* fp_minmax(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  std::uint8_t flags = 0;
  Fmt::set(e, op->rd, Fn(Fmt::get(e, op->rs1), Fmt::get(e, op->rs2), flags));
  finish(e, flags);
  return e.next(op);
}

template <typename Fmt, bool (*Fn)(typename Fmt::T, typename Fmt::T, std::uint8_t&)>
const Op* fp_compare(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  std::uint8_t flags = 0;
  u64 r = Fn(Fmt::get(e, op->rs1), Fmt::get(e, op->rs2), flags) ? 1 : 0;
  e.x[op->rd] = r;
  e.csr.fflags |= flags;  // writes no f register: FS changes only via fflags
  if (flags) e.mark_fp_dirty();
  return e.next(op);
}

// Sign injection: 0 = copy rs2's sign, 1 = its inverse, 2 = xor.
template <typename Fmt, unsigned Kind>
const Op* fp_sgnj(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  auto a = Fmt::get(e, op->rs1), b = Fmt::get(e, op->rs2);
  typename Fmt::T sign = Kind == 0 ? (b & Fmt::kSign) : Kind == 1 ? (~b & Fmt::kSign) : ((a ^ b) & Fmt::kSign);
  Fmt::set(e, op->rd, (a & ~Fmt::kSign) | sign);
  e.mark_fp_dirty();
  return e.next(op);
}

template <typename Fmt, std::uint32_t (*Fn)(typename Fmt::T)>
const Op* fp_class(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  e.x[op->rd] = Fn(Fmt::get(e, op->rs1));
  return e.next(op);
}

// float -> integer register; R is the FPU's result type, sign-extended.
template <typename Fmt, typename R, R (*Fn)(typename Fmt::T, Rounding, std::uint8_t&)>
const Op* fp_to_int(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = 0;
  R r = Fn(Fmt::get(e, op->rs1), rm, flags);
  e.x[op->rd] = sizeof(R) == 4 ? static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(r)))
                               : static_cast<u64>(r);
  e.csr.fflags |= flags;
  if (flags) e.mark_fp_dirty();
  return e.next(op);
}

// integer register -> float; A is the FPU's argument type.
template <typename Fmt, typename A, typename Fmt::T (*Fn)(A, Rounding, std::uint8_t&)>
const Op* int_to_fp(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = 0;
  Fmt::set(e, op->rd, Fn(static_cast<A>(e.x[op->rs1]), rm, flags));
  finish(e, flags);
  return e.next(op);
}

const Op* fcvt_s_d(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = 0;
  F32::set(e, op->rd, fpu::f64_to_f32(F64::get(e, op->rs1), rm, flags));
  finish(e, flags);
  return e.next(op);
}

const Op* fcvt_d_s(Engine& e, const Op* op) {
  Rounding rm;
  if (!e.fp_enabled() || !rounding(e, op, rm)) return e.raise_illegal();
  std::uint8_t flags = 0;
  F64::set(e, op->rd, fpu::f32_to_f64(F32::get(e, op->rs1), flags));
  finish(e, flags);
  return e.next(op);
}

// Raw bit moves: no NaN-box check on the way out.
const Op* fmv_x_w(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  e.x[op->rd] = static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(e.f[op->rs1])));
  return e.next(op);
}
const Op* fmv_x_d(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  e.x[op->rd] = e.f[op->rs1];
  return e.next(op);
}
const Op* fmv_w_x(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  F32::set(e, op->rd, static_cast<std::uint32_t>(e.x[op->rs1]));
  e.mark_fp_dirty();
  return e.next(op);
}
const Op* fmv_d_x(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  e.f[op->rd] = e.x[op->rs1];
  e.mark_fp_dirty();
  return e.next(op);
}

template <typename Fmt>
const Op* fp_load(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  u64 va = e.x[op->rs1] + static_cast<u64>(static_cast<i64>(op->imm));
  typename Fmt::T v;
  if (!e.load_fast(va, v)) {
    u64 raw = 0;
    if (!e.load_slow(va, sizeof v, raw)) return nullptr;
    v = static_cast<typename Fmt::T>(raw);
  }
  Fmt::set(e, op->rd, v);
  e.mark_fp_dirty();
  return e.next(op);
}

template <typename Fmt>
const Op* fp_store(Engine& e, const Op* op) {
  if (!e.fp_enabled()) return e.raise_illegal();
  u64 va = e.x[op->rs1] + static_cast<u64>(static_cast<i64>(op->imm));
  auto v = static_cast<typename Fmt::T>(e.f[op->rs2]);  // raw low bits, boxed or not
  if (e.store_fast(va, v)) return e.next(op);
  if (!e.store_slow(va, sizeof v, v)) return nullptr;
  e.next(op);
  return nullptr;
}

// Handler tables per format.
template <typename Fmt> struct Ops;
template <> struct Ops<F32> {
  static constexpr Handler add = fp_arith<F32, fpu::f32_add>, sub = fp_arith<F32, fpu::f32_sub>,
                           mul = fp_arith<F32, fpu::f32_mul>, div = fp_arith<F32, fpu::f32_div>,
                           sqrt = fp_sqrt<F32, fpu::f32_sqrt>, min = fp_minmax<F32, fpu::f32_min>,
                           max = fp_minmax<F32, fpu::f32_max>, eq = fp_compare<F32, fpu::f32_eq>,
                           lt = fp_compare<F32, fpu::f32_lt>, le = fp_compare<F32, fpu::f32_le>,
                           fclass = fp_class<F32, fpu::f32_classify>;
  static constexpr Handler to_int[4] = {fp_to_int<F32, std::int32_t, fpu::f32_to_i32>,
                                        fp_to_int<F32, std::uint32_t, fpu::f32_to_u32>,
                                        fp_to_int<F32, std::int64_t, fpu::f32_to_i64>,
                                        fp_to_int<F32, std::uint64_t, fpu::f32_to_u64>};
  static constexpr Handler from_int[4] = {int_to_fp<F32, std::int32_t, fpu::i32_to_f32>,
                                          int_to_fp<F32, std::uint32_t, fpu::u32_to_f32>,
                                          int_to_fp<F32, std::int64_t, fpu::i64_to_f32>,
                                          int_to_fp<F32, std::uint64_t, fpu::u64_to_f32>};
  static constexpr Handler fma[4] = {fp_fma<F32, fpu::f32_fma, 0>, fp_fma<F32, fpu::f32_fma, 2>,
                                     fp_fma<F32, fpu::f32_fma, 1>, fp_fma<F32, fpu::f32_fma, 3>};
};
template <> struct Ops<F64> {
  static constexpr Handler add = fp_arith<F64, fpu::f64_add>, sub = fp_arith<F64, fpu::f64_sub>,
                           mul = fp_arith<F64, fpu::f64_mul>, div = fp_arith<F64, fpu::f64_div>,
                           sqrt = fp_sqrt<F64, fpu::f64_sqrt>, min = fp_minmax<F64, fpu::f64_min>,
                           max = fp_minmax<F64, fpu::f64_max>, eq = fp_compare<F64, fpu::f64_eq>,
                           lt = fp_compare<F64, fpu::f64_lt>, le = fp_compare<F64, fpu::f64_le>,
                           fclass = fp_class<F64, fpu::f64_classify>;
  static constexpr Handler to_int[4] = {fp_to_int<F64, std::int32_t, fpu::f64_to_i32>,
                                        fp_to_int<F64, std::uint32_t, fpu::f64_to_u32>,
                                        fp_to_int<F64, std::int64_t, fpu::f64_to_i64>,
                                        fp_to_int<F64, std::uint64_t, fpu::f64_to_u64>};
  static constexpr Handler from_int[4] = {int_to_fp<F64, std::int32_t, fpu::i32_to_f64>,
                                          int_to_fp<F64, std::uint32_t, fpu::u32_to_f64>,
                                          int_to_fp<F64, std::int64_t, fpu::i64_to_f64>,
                                          int_to_fp<F64, std::uint64_t, fpu::u64_to_f64>};
  static constexpr Handler fma[4] = {fp_fma<F64, fpu::f64_fma, 0>, fp_fma<F64, fpu::f64_fma, 2>,
                                     fp_fma<F64, fpu::f64_fma, 1>, fp_fma<F64, fpu::f64_fma, 3>};
};

bool valid_rm(unsigned rm) { return rm != 5 && rm != 6; }

// OP-FP for one format. rm: funct3 (a rounding mode or a sub-operation).
template <typename Fmt>
Handler op_fp_handler(unsigned funct5, unsigned rm, unsigned rs2, bool& x_dest, bool& x_src) {
  using O = Ops<Fmt>;
  bool is_double = std::is_same_v<Fmt, F64>;
  switch (funct5) {
    case 0x00: return valid_rm(rm) ? O::add : nullptr;
    case 0x01: return valid_rm(rm) ? O::sub : nullptr;
    case 0x02: return valid_rm(rm) ? O::mul : nullptr;
    case 0x03: return valid_rm(rm) ? O::div : nullptr;
    case 0x0b: return rs2 == 0 && valid_rm(rm) ? O::sqrt : nullptr;
    case 0x04: {
      static constexpr Handler kSgnj[3] = {fp_sgnj<Fmt, 0>, fp_sgnj<Fmt, 1>, fp_sgnj<Fmt, 2>};
      return rm < 3 ? kSgnj[rm] : nullptr;
    }
    case 0x05: return rm == 0 ? O::min : rm == 1 ? O::max : nullptr;
    case 0x08:  // fcvt.s.d / fcvt.d.s
      if (!valid_rm(rm)) return nullptr;
      if (!is_double && rs2 == 1) return fcvt_s_d;
      if (is_double && rs2 == 0) return fcvt_d_s;
      return nullptr;
    case 0x14:
      x_dest = true;
      return rm == 2 ? O::eq : rm == 1 ? O::lt : rm == 0 ? O::le : nullptr;
    case 0x18:
      x_dest = true;
      return rs2 < 4 && valid_rm(rm) ? O::to_int[rs2] : nullptr;
    case 0x1a:
      x_src = true;
      return rs2 < 4 && valid_rm(rm) ? O::from_int[rs2] : nullptr;
    case 0x1c:
      x_dest = true;
      if (rs2 != 0) return nullptr;
      if (rm == 0) return is_double ? fmv_x_d : fmv_x_w;
      return rm == 1 ? O::fclass : nullptr;
    case 0x1e:
      x_src = true;
      if (rs2 != 0 || rm != 0) return nullptr;
      return is_double ? fmv_d_x : fmv_w_x;
    default: return nullptr;
  }
}

}  // namespace

bool decode_fp(std::uint32_t insn, Op& op) {
  unsigned opcode = insn & 0x7f, rd = (insn >> 7) & 31, rm = (insn >> 12) & 7, rs1 = (insn >> 15) & 31,
           rs2 = (insn >> 20) & 31, fmt = (insn >> 25) & 3;
  op.rd = static_cast<std::uint8_t>(rd);
  op.rs1 = static_cast<std::uint8_t>(rs1);
  op.rs2 = static_cast<std::uint8_t>(rs2);
  switch (opcode) {
    case rv::opc::kLoadFp:
      if (rm != 2 && rm != 3) return false;
      op.fn = rm == 2 ? fp_load<F32> : fp_load<F64>;
      op.imm = static_cast<std::int32_t>(insn) >> 20;
      return true;
    case rv::opc::kStoreFp:
      if (rm != 2 && rm != 3) return false;
      op.fn = rm == 2 ? fp_store<F32> : fp_store<F64>;
      op.imm = (static_cast<std::int32_t>(insn & 0xfe000000u) >> 20) | static_cast<std::int32_t>(rd);
      return true;
    case rv::opc::kMadd:
    case rv::opc::kMsub:
    case rv::opc::kNmsub:
    case rv::opc::kNmadd: {
      if (fmt > 1 || !valid_rm(rm)) return false;
      unsigned which = (opcode - rv::opc::kMadd) >> 2;
      op.fn = fmt == 0 ? Ops<F32>::fma[which] : Ops<F64>::fma[which];
      op.imm = static_cast<std::int32_t>(rm | ((insn >> 27) << 8));
      return true;
    }
    default: break;
  }
  if (fmt > 1) return false;
  bool x_dest = false, x_src = false;
  Handler h = fmt == 0 ? op_fp_handler<F32>(insn >> 27, rm, rs2, x_dest, x_src)
                       : op_fp_handler<F64>(insn >> 27, rm, rs2, x_dest, x_src);
  if (h == nullptr) return false;
  op.fn = h;
  op.imm = static_cast<std::int32_t>(rm);
  if (x_dest) op.rd = xd(rd);
  return true;
}

}  // namespace ftvm::machine::cpu
