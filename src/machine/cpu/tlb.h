#pragma once
// Software TLB: direct-mapped (deterministic replacement, not that it is
// guest-visible), one array per access kind and translation context. Entries
// map a virtual page straight to host memory, so a RAM load or store that
// hits is a compare and a memcpy. Only RAM pages are cached; MMIO and
// page-crossing accesses take the slow path.
//
// Contexts: what a translation depends on besides satp and mstatus.MXR (both
// flush everything when they change).
//   0: U mode   1: S mode, SUM=0   2: S mode, SUM=1   3: bare (M mode or satp off)
// Linux toggles SUM around every user copy, so SUM gets its own contexts
// instead of a flush.
#include <array>
#include <cstdint>

namespace ftvm::machine::cpu {

struct DecodedPage;

inline constexpr unsigned kTlbSets = 256;
inline constexpr unsigned kTlbContexts = 4;
inline constexpr std::uint64_t kTlbInvalid = ~0ull;

struct TlbEntry {
  std::uint64_t tag = kTlbInvalid;  // va >> 12
  std::uintptr_t addend = 0;        // host address = va + addend
};

struct FetchTlbEntry {
  std::uint64_t tag = kTlbInvalid;
  DecodedPage* page = nullptr;
};

using DataTlb = std::array<TlbEntry, kTlbSets>;
using FetchTlb = std::array<FetchTlbEntry, kTlbSets>;

inline unsigned tlb_set(std::uint64_t va) { return static_cast<unsigned>(va >> 12) & (kTlbSets - 1); }

struct Tlb {
  std::array<DataTlb, kTlbContexts> load;
  std::array<DataTlb, kTlbContexts> store;
  std::array<FetchTlb, kTlbContexts> fetch;
  // Set when any entry came from a superpage: sfence.vma of one address must
  // then drop every entry, since one leaf covers many 4 KiB entries.
  bool holds_superpage = false;

  void flush_all() {
    for (auto& t : load) t.fill(TlbEntry{});
    for (auto& t : store) t.fill(TlbEntry{});
    for (auto& t : fetch) t.fill(FetchTlbEntry{});
    holds_superpage = false;
  }
  void flush_page(std::uint64_t va) {
    if (holds_superpage) return flush_all();
    unsigned s = tlb_set(va);
    for (unsigned c = 0; c < kTlbContexts; ++c) {
      load[c][s] = TlbEntry{};
      store[c][s] = TlbEntry{};
      fetch[c][s] = FetchTlbEntry{};
    }
  }
  void flush_fetch() {
    for (auto& t : fetch) t.fill(FetchTlbEntry{});
  }
  // Drops writable entries that point into the host page at `host_page`: the
  // page just became code, and stores to it must reach the code-write hook.
  void drop_stores_to(const std::uint8_t* host_page) {
    auto target = reinterpret_cast<std::uintptr_t>(host_page);
    for (auto& t : store)
      for (auto& e : t)
        if (e.tag != kTlbInvalid && (e.tag << 12) + e.addend == target) e = TlbEntry{};
  }
};

}  // namespace ftvm::machine::cpu
