// The A extension. One hart, so every AMO is trivially atomic; LR/SC keep a
// physical-address reservation that traps, xRET and SC clear. Misaligned
// atomics raise address-misaligned (LR: load, SC/AMO: store/AMO) instead of
// being emulated like ordinary accesses.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "machine/cpu/engine.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

// Register value of a W or D memory word: W values are sign-extended.
template <typename T>
u64 to_reg(T v) {
  return static_cast<u64>(static_cast<i64>(static_cast<std::make_signed_t<T>>(v)));
}

template <typename T>
const Op* op_lr(Engine& e, const Op* op) {
  u64 va = e.x[op->rs1];
  if (va & (sizeof(T) - 1)) return e.raise(cause::kLoadMisaligned, va);
  u64 pa = 0;
  std::uint8_t* host = e.atomic_host(va, sizeof(T), Access::kLoad, pa);
  if (host == nullptr) return nullptr;
  T v;
  std::memcpy(&v, host, sizeof v);
  e.x[op->rd] = to_reg(v);
  e.reservation_valid = true;
  e.reservation_addr = pa;
  return e.next(op);
}

template <typename T>
const Op* op_sc(Engine& e, const Op* op) {
  u64 va = e.x[op->rs1];
  if (va & (sizeof(T) - 1)) return e.raise(cause::kStoreMisaligned, va);
  u64 pa = 0;
  std::uint8_t* host = e.atomic_host(va, sizeof(T), Access::kStore, pa);
  if (host == nullptr) return nullptr;
  bool success = e.reservation_valid && e.reservation_addr == pa;
  e.reservation_valid = false;
  if (success) {
    auto v = static_cast<T>(e.x[op->rs2]);
    std::memcpy(host, &v, sizeof v);
    e.finish_atomic_store(pa, sizeof(T));
  }
  e.x[op->rd] = success ? 0 : 1;
  return e.next(op);
}

template <typename T> T amo_swap(T, T b) { return b; }
template <typename T> T amo_add(T a, T b) { return static_cast<T>(a + b); }
template <typename T> T amo_xor(T a, T b) { return a ^ b; }
template <typename T> T amo_and(T a, T b) { return a & b; }
template <typename T> T amo_or(T a, T b) { return a | b; }
template <typename T> T amo_min(T a, T b) {
  using S = std::make_signed_t<T>;
  return static_cast<S>(a) < static_cast<S>(b) ? a : b;
}
template <typename T> T amo_max(T a, T b) {
  using S = std::make_signed_t<T>;
  return static_cast<S>(a) > static_cast<S>(b) ? a : b;
}
template <typename T> T amo_minu(T a, T b) { return std::min(a, b); }
template <typename T> T amo_maxu(T a, T b) { return std::max(a, b); }

template <typename T, T (*F)(T, T)>
const Op* op_amo(Engine& e, const Op* op) {
  u64 va = e.x[op->rs1];
  if (va & (sizeof(T) - 1)) return e.raise(cause::kStoreMisaligned, va);
  u64 pa = 0;
  std::uint8_t* host = e.atomic_host(va, sizeof(T), Access::kStore, pa);
  if (host == nullptr) return nullptr;
  T old;
  std::memcpy(&old, host, sizeof old);
  T updated = F(old, static_cast<T>(e.x[op->rs2]));
  std::memcpy(host, &updated, sizeof updated);
  e.finish_atomic_store(pa, sizeof(T));
  e.x[op->rd] = to_reg(old);
  return e.next(op);
}

template <typename T>
Handler amo_handler(unsigned funct5) {
  switch (funct5) {
    case 0x00: return op_amo<T, amo_add<T>>;
    case 0x01: return op_amo<T, amo_swap<T>>;
    case 0x04: return op_amo<T, amo_xor<T>>;
    case 0x08: return op_amo<T, amo_or<T>>;
    case 0x0c: return op_amo<T, amo_and<T>>;
    case 0x10: return op_amo<T, amo_min<T>>;
    case 0x14: return op_amo<T, amo_max<T>>;
    case 0x18: return op_amo<T, amo_minu<T>>;
    case 0x1c: return op_amo<T, amo_maxu<T>>;
    case 0x03: return op_sc<T>;
    default: return nullptr;
  }
}

}  // namespace

bool decode_amo(std::uint32_t insn, Op& op) {
  unsigned funct3 = (insn >> 12) & 7, funct5 = insn >> 27, rs2 = (insn >> 20) & 31;
  if (funct3 != 2 && funct3 != 3) return false;
  Handler h = nullptr;
  if (funct5 == 0x02) {
    if (rs2 != 0) return false;
    h = funct3 == 2 ? op_lr<std::uint32_t> : op_lr<std::uint64_t>;
  } else {
    h = funct3 == 2 ? amo_handler<std::uint32_t>(funct5) : amo_handler<std::uint64_t>(funct5);
  }
  if (h == nullptr) return false;
  op.fn = h;
  op.rd = xd((insn >> 7) & 31);
  op.rs1 = static_cast<std::uint8_t>((insn >> 15) & 31);
  op.rs2 = static_cast<std::uint8_t>(rs2);
  return true;
}

}  // namespace ftvm::machine::cpu
