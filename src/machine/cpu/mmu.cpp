// Sv39 / Sv48 page walks (privileged spec 1.12, 4.3.2) and the TLB context
// selection. Accessed/dirty bits are set by the walker itself (the "hardware
// A/D update" option): the PTE is rewritten in RAM, through GuestRam::write so
// that page tables share the coherence rules of every other store.
#include "machine/cpu/engine.h"

namespace ftvm::machine {

using namespace cpu;

namespace {

using u64 = std::uint64_t;

namespace pte {
inline constexpr u64 kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kG = 32, kA = 64, kD = 128;
inline constexpr unsigned kPpnShift = 10;
inline constexpr u64 kPpnMask = (1ull << 44) - 1;
}  // namespace pte

int page_fault(Access a) {
  switch (a) {
    case Access::kFetch: return static_cast<int>(cause::kFetchPage);
    case Access::kLoad: return static_cast<int>(cause::kLoadPage);
    default: return static_cast<int>(cause::kStorePage);
  }
}

int access_fault(Access a) {
  switch (a) {
    case Access::kFetch: return static_cast<int>(cause::kFetchAccess);
    case Access::kLoad: return static_cast<int>(cause::kLoadAccess);
    default: return static_cast<int>(cause::kStoreAccess);
  }
}

// Permission check of a leaf PTE for an access at effective privilege `priv`.
bool leaf_permits(u64 entry, Access a, unsigned priv, u64 mstatus_value) {
  bool user_page = entry & pte::kU;
  if (priv == kPrivU && !user_page) return false;
  if (priv == kPrivS && user_page) {
    if (a == Access::kFetch) return false;  // S never executes user pages
    if (!(mstatus_value & mstatus::kSum)) return false;
  }
  switch (a) {
    case Access::kFetch: return entry & pte::kX;
    case Access::kLoad: return (entry & pte::kR) || ((mstatus_value & mstatus::kMxr) && (entry & pte::kX));
    default: return entry & pte::kW;
  }
}

}  // namespace

int Hart::Engine::translate(u64 va, Access access, u64& pa, bool& superpage) {
  unsigned eff = access == Access::kFetch ? priv : data_privilege();
  u64 mode = csr.satp >> 60;
  superpage = false;
  if (eff == kPrivM || mode == 0) {
    pa = va;
    return -1;
  }
  unsigned levels = mode == 8 ? 3 : 4;
  unsigned va_bits = 12 + 9 * levels;
  // Upper bits must copy the top VA bit.
  auto canonical = static_cast<u64>(static_cast<std::int64_t>(va << (64 - va_bits)) >> (64 - va_bits));
  if (canonical != va) return page_fault(access);

  u64 table = (csr.satp & pte::kPpnMask) << kPageShift;
  for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
    u64 entry_addr = table + ((va >> (12 + 9 * level)) & 511) * 8;
    u64 entry = 0;
    if (!ram.read(entry_addr, &entry, 8)) return access_fault(access);
    // Invalid, W without R, or reserved/N/PBMT bits (unsupported here) set.
    if (!(entry & pte::kV) || (!(entry & pte::kR) && (entry & pte::kW)) || (entry >> 54) != 0)
      return page_fault(access);
    u64 ppn = (entry >> pte::kPpnShift) & pte::kPpnMask;
    if (!(entry & (pte::kR | pte::kX))) {  // pointer to the next level
      if (level == 0) return page_fault(access);
      table = ppn << kPageShift;
      continue;
    }
    if (!leaf_permits(entry, access, eff, csr.mstatus)) return page_fault(access);
    u64 low_ppn_mask = (1ull << (9 * level)) - 1;
    if (ppn & low_ppn_mask) return page_fault(access);  // misaligned superpage
    u64 wanted = pte::kA | (access == Access::kStore ? pte::kD : 0);
    if ((entry & wanted) != wanted) {
      entry |= wanted;
      ram.write(entry_addr, &entry, 8);
    }
    u64 offset_mask = (1ull << (12 + 9 * level)) - 1;
    pa = ((ppn << kPageShift) & ~offset_mask) | (va & offset_mask);
    superpage = level > 0;
    return -1;
  }
  return page_fault(access);
}

void Hart::Engine::update_contexts() {
  bool bare = (csr.satp >> 60) == 0;
  unsigned data_priv = data_privilege();
  unsigned data_ctx = 3, fetch_ctx = 3;
  if (!bare) {
    if (data_priv == kPrivU)
      data_ctx = 0;
    else if (data_priv == kPrivS)
      data_ctx = (csr.mstatus & mstatus::kSum) ? 2 : 1;
    if (priv == kPrivU)
      fetch_ctx = 0;
    else if (priv == kPrivS)
      fetch_ctx = 1;
  }
  load_tlb = tlb.load[data_ctx].data();
  store_tlb = tlb.store[data_ctx].data();
  fetch_tlb = tlb.fetch[fetch_ctx].data();
}

}  // namespace ftvm::machine
