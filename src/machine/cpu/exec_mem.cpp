// Integer loads and stores: TLB-hit fast path inline, everything else
// (misaligned across pages, MMIO, misses) in the slow path.
#include <type_traits>

#include "machine/cpu/engine.h"
#include "machine/cpu/op_kind.h"
#include "machine/cpu/rv_encoding.h"

namespace ftvm::machine::cpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

template <typename T>
using Extended = std::conditional_t<std::is_signed_v<T>, i64, u64>;

// The slow halves live out of line so that the TLB-hit path compiles to a
// leaf function with no register saves (the miss path is a tail call).
template <typename T>
[[gnu::noinline]] const Op* load_miss(Engine& e, const Op* op, u64 va) {
  u64 raw = 0;
  if (!e.load_slow(va, sizeof(T), raw)) return nullptr;
  e.x[op->rd] = static_cast<u64>(static_cast<Extended<T>>(static_cast<T>(raw)));
  e.next(op);
  return nullptr;
}

template <typename T>
[[gnu::noinline]] const Op* store_miss(Engine& e, const Op* op, u64 va, T v) {
  if (!e.store_slow(va, sizeof(T), v)) return nullptr;
  e.next(op);
  return nullptr;
}

// T: the memory type; its signedness picks sign or zero extension.
template <typename T>
const Op* load(Engine& e, const Op* op) {
  u64 va = e.x[op->rs1] + static_cast<u64>(static_cast<i64>(op->imm));
  T v;
  if (e.load_fast(va, v)) [[likely]] {
    e.x[op->rd] = static_cast<u64>(static_cast<Extended<T>>(v));
    return e.next(op);
  }
  return load_miss<T>(e, op, va);
}

template <typename T>
const Op* store(Engine& e, const Op* op) {
  u64 va = e.x[op->rs1] + static_cast<u64>(static_cast<i64>(op->imm));
  auto v = static_cast<T>(e.x[op->rs2]);
  if (e.store_fast(va, v)) [[likely]] return e.next(op);
  return store_miss<T>(e, op, va, v);
}

}  // namespace

bool decode_mem(std::uint32_t insn, Op& op) {
  unsigned funct3 = (insn >> 12) & 7;
  op.rs1 = static_cast<std::uint8_t>((insn >> 15) & 31);
  if ((insn & 0x7f) == rv::opc::kLoad) {
    static constexpr Handler kLoads[8] = {load<std::int8_t>,   load<std::int16_t>,  load<std::int32_t>,
                                          load<std::int64_t>,  load<std::uint8_t>,  load<std::uint16_t>,
                                          load<std::uint32_t>, nullptr};
    if (kLoads[funct3] == nullptr) return false;
    op.fn = kLoads[funct3];
    op.rd = xd((insn >> 7) & 31);  // a load to x0 still accesses memory (and may fault)
    op.imm = static_cast<std::int32_t>(insn) >> 20;
    return true;
  }
  static constexpr Handler kStores[4] = {store<std::uint8_t>, store<std::uint16_t>, store<std::uint32_t>,
                                         store<std::uint64_t>};
  if (funct3 > 3) return false;
  op.fn = kStores[funct3];
  op.rs2 = static_cast<std::uint8_t>((insn >> 20) & 31);
  op.imm = (static_cast<std::int32_t>(insn & 0xfe000000u) >> 20) | static_cast<std::int32_t>((insn >> 7) & 31);
  return true;
}

bool describe_mem_op(Handler h, OpInfo& info) {
  struct Entry {
    Handler fn;
    OpKind kind;
  };
  static constexpr Entry kTable[] = {
      {load<std::int8_t>, OpKind::kLb},    {load<std::int16_t>, OpKind::kLh},   {load<std::int32_t>, OpKind::kLw},
      {load<std::int64_t>, OpKind::kLd},   {load<std::uint8_t>, OpKind::kLbu},  {load<std::uint16_t>, OpKind::kLhu},
      {load<std::uint32_t>, OpKind::kLwu}, {store<std::uint8_t>, OpKind::kSb},  {store<std::uint16_t>, OpKind::kSh},
      {store<std::uint32_t>, OpKind::kSw}, {store<std::uint64_t>, OpKind::kSd},
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
