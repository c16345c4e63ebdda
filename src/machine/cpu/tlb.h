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
#include <cstddef>
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

// The entries filled since the last flush of one entry kind, so that a flush
// (Linux issues a full sfence.vma on every address-space switch) resets the
// few dozen live entries instead of sweeping all contexts (48 KiB). When more
// fills than it can hold happen, it gives up and the flush sweeps everything.
template <typename Entry, unsigned kCapacity>
class FillLog {
 public:
  void note(Entry* e) {
    if (count_ < kCapacity) filled_[count_] = e;
    if (count_ <= kCapacity) ++count_;  // kCapacity + 1 means "overflowed"
  }
  template <std::size_t kContexts>
  void flush(std::array<std::array<Entry, kTlbSets>, kContexts>& arrays) {
    if (count_ > kCapacity) {
      for (auto& t : arrays) t.fill(Entry{});
    } else {
      for (unsigned i = 0; i < count_; ++i) *filled_[i] = Entry{};
    }
    count_ = 0;
  }
  // Visits the entries that may be live (all of them after an overflow).
  template <std::size_t kContexts, typename Visit>
  void for_each_live(std::array<std::array<Entry, kTlbSets>, kContexts>& arrays, Visit visit) {
    if (count_ > kCapacity) {
      for (auto& t : arrays)
        for (auto& e : t) visit(e);
    } else {
      for (unsigned i = 0; i < count_; ++i) visit(*filled_[i]);
    }
  }

 private:
  std::array<Entry*, kCapacity> filled_{};
  unsigned count_ = 0;
};

inline constexpr unsigned kFillLogCapacity = 256;

struct Tlb {
  // The fill logs point into this object's own arrays: never copied.
  Tlb() = default;
  Tlb(const Tlb&) = delete;
  Tlb& operator=(const Tlb&) = delete;

  std::array<DataTlb, kTlbContexts> load;
  std::array<DataTlb, kTlbContexts> store;
  std::array<FetchTlb, kTlbContexts> fetch;
  // Set when any entry came from a superpage: sfence.vma of one address must
  // then drop every entry, since one leaf covers many 4 KiB entries.
  bool holds_superpage = false;
  FillLog<TlbEntry, kFillLogCapacity> load_fills;
  FillLog<TlbEntry, kFillLogCapacity> store_fills;
  FillLog<FetchTlbEntry, kFillLogCapacity> fetch_fills;

  // Every fill goes through these so that flushes know what to reset.
  void fill_load(TlbEntry& e, std::uint64_t tag, std::uintptr_t addend) { set(e, tag, addend, load_fills); }
  void fill_store(TlbEntry& e, std::uint64_t tag, std::uintptr_t addend) { set(e, tag, addend, store_fills); }
  void fill_fetch(FetchTlbEntry& e, std::uint64_t tag, DecodedPage* page) {
    e.tag = tag;
    e.page = page;
    fetch_fills.note(&e);
  }

  void flush_all() {
    load_fills.flush(load);
    store_fills.flush(store);
    fetch_fills.flush(fetch);
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
  void flush_fetch() { fetch_fills.flush(fetch); }
  // Drops writable entries that point into the host page at `host_page`: the
  // page just became code, and stores to it must reach the code-write hook.
  void drop_stores_to(const std::uint8_t* host_page) {
    auto target = reinterpret_cast<std::uintptr_t>(host_page);
    store_fills.for_each_live(store, [target](TlbEntry& e) {
      if (e.tag != kTlbInvalid && (e.tag << 12) + e.addend == target) e = TlbEntry{};
    });
  }

 private:
  static void set(TlbEntry& e, std::uint64_t tag, std::uintptr_t addend, FillLog<TlbEntry, kFillLogCapacity>& log) {
    e.tag = tag;
    e.addend = addend;
    log.note(&e);
  }
};

}  // namespace ftvm::machine::cpu
