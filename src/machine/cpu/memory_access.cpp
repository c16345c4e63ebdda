// Data access slow paths: TLB misses (walk, then fill), accesses that cross a
// page (done piecewise after both pages translate, so a fault leaves memory
// untouched), MMIO, and atomics.
#include <algorithm>
#include <cstring>

#include "machine/cpu/engine.h"

namespace ftvm::machine {

using namespace cpu;

namespace {

using u64 = std::uint64_t;

std::uint64_t access_fault(Access a) { return a == Access::kLoad ? cause::kLoadAccess : cause::kStoreAccess; }

std::uintptr_t addend_for(GuestRam& ram, u64 va, u64 pa) {
  return reinterpret_cast<std::uintptr_t>(ram.host_ptr(pa & ~(kPageSize - 1), kPageSize)) - (va & ~(kPageSize - 1));
}

}  // namespace

bool Hart::Engine::load_slow(u64 va, unsigned size, u64& value) {
  value = 0;
  u64 first = std::min<u64>(size, kPageSize - (va & (kPageSize - 1)));
  u64 pa = 0;
  bool superpage = false;
  int fault = translate(va, Access::kLoad, pa, superpage);
  if (fault >= 0) return raise(static_cast<u64>(fault), va), false;
  if (first == size) {
    if (const std::uint8_t* host = ram.host_ptr(pa, size)) {
      std::memcpy(&value, host, size);
      tlb.fill_load(load_tlb[tlb_set(va)], va >> 12, addend_for(ram, va, pa));
      tlb.holds_superpage |= superpage;
      return true;
    }
    if (!bus.mmio_read(pa, size, value)) return raise(cause::kLoadAccess, va), false;
    if (size < 8) value &= (1ull << (8 * size)) - 1;
    irq_check = true;  // a device read (e.g. an interrupt claim) may change lines
    return true;
  }
  // Crosses into the next page: both halves must be RAM.
  u64 va2 = va + first, pa2 = 0;
  fault = translate(va2, Access::kLoad, pa2, superpage);
  if (fault >= 0) return raise(static_cast<u64>(fault), va2), false;
  std::uint8_t bytes[8] = {};
  if (!ram.read(pa, bytes, first)) return raise(cause::kLoadAccess, va), false;
  if (!ram.read(pa2, bytes + first, size - first)) return raise(cause::kLoadAccess, va2), false;
  std::memcpy(&value, bytes, size);
  return true;
}

bool Hart::Engine::store_slow(u64 va, unsigned size, u64 value) {
  u64 first = std::min<u64>(size, kPageSize - (va & (kPageSize - 1)));
  u64 pa = 0;
  bool superpage = false;
  int fault = translate(va, Access::kStore, pa, superpage);
  if (fault >= 0) return raise(static_cast<u64>(fault), va), false;
  if (first == size) {
    if (ram.contains(pa, size)) {
      ram.write(pa, &value, size);  // notes dirty pages and code writes
      std::uint64_t page = (pa - ram.base()) >> kPageShift;
      // Code pages and dirty tracking need every store to go through write().
      if (!ram.is_code_page(page) && !ram.dirty_tracking()) {
        tlb.fill_store(store_tlb[tlb_set(va)], va >> 12, addend_for(ram, va, pa));
        tlb.holds_superpage |= superpage;
      }
      return true;
    }
    if (!bus.mmio_write(pa, size, value)) return raise(cause::kStoreAccess, va), false;
    event = true;
    irq_check = true;
    return true;
  }
  u64 va2 = va + first, pa2 = 0;
  fault = translate(va2, Access::kStore, pa2, superpage);
  if (fault >= 0) return raise(static_cast<u64>(fault), va2), false;
  if (!ram.contains(pa, first)) return raise(cause::kStoreAccess, va), false;
  if (!ram.contains(pa2, size - first)) return raise(cause::kStoreAccess, va2), false;
  std::uint8_t bytes[8];
  std::memcpy(bytes, &value, 8);
  ram.write(pa, bytes, first);
  ram.write(pa2, bytes + first, size - first);
  return true;
}

std::uint8_t* Hart::Engine::atomic_host(u64 va, unsigned size, Access access, u64& pa) {
  const TlbEntry& e = (access == Access::kStore ? store_tlb : load_tlb)[tlb_set(va)];
  if (e.tag == (va >> 12)) {
    auto* host = reinterpret_cast<std::uint8_t*>(va + e.addend);
    pa = static_cast<u64>(host - ram.data()) + ram.base();
    return host;
  }
  bool superpage = false;
  int fault = translate(va, access, pa, superpage);
  if (fault >= 0) return raise(static_cast<u64>(fault), va), nullptr;
  std::uint8_t* host = ram.host_ptr(pa, size);
  // Atomics are supported on RAM only (a PMA the spec allows for I/O).
  if (host == nullptr) return raise(access_fault(access), va), nullptr;
  return host;
}

}  // namespace ftvm::machine
