#pragma once
// Decoded instructions, per physical RAM page: one Op slot per 2-byte offset,
// filled lazily the first time each slot executes, plus a sentinel slot past
// the end that leaves the page. Slots are reset in place when the page is
// written (code-write hook), so pointers into a page stay valid while the
// interpreter runs in it.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "machine/core/guest_ram.h"
#include "machine/cpu/op.h"

namespace ftvm::machine::cpu {

inline constexpr unsigned kSlotsPerPage = kPageSize / 2;

// A translated block's entry point (code in the JIT's arena); its argument is
// the Engine, its result kBlockDone or kBudgetShort (translator.h).
using NativeCode = std::uint32_t (*)(Engine* engine);
using NativeSlots = std::array<NativeCode, kSlotsPerPage>;

struct DecodedPage {
  const std::uint8_t* host = nullptr;  // the RAM page's bytes
  std::uint64_t page_index = 0;        // in GuestRam
  Op ops[kSlotsPerPage + 1];           // +1: the page-exit sentinel
  // Translated blocks by start slot (JIT engine only; created on first use,
  // dropped with the decoded ops).
  std::unique_ptr<NativeSlots> native;
  // native->data() or null: what translated code reads to chain blocks.
  NativeCode* native_entries = nullptr;
};

class DecodeCache {
 public:
  // decode: the handler of a not-yet-decoded slot; page_end: the sentinel's.
  DecodeCache(GuestRam& ram, Handler decode, Handler page_end);

  // The decoded page for a RAM page, created empty when missing.
  DecodedPage* get(std::uint64_t page_index);
  // Forgets what was decoded from the page (slots reset, object kept).
  void invalidate(std::uint64_t page_index);
  // Frees every page. Callers drop fetch TLB entries first.
  void clear();
  std::size_t live_pages() const { return live_.size(); }

 private:
  void reset_slots(DecodedPage& page) const;

  GuestRam& ram_;
  Handler decode_;
  Handler page_end_;
  std::vector<std::unique_ptr<DecodedPage>> pages_;  // indexed by RAM page
  std::vector<std::uint64_t> live_;                  // indices with a page, for clear()
};

}  // namespace ftvm::machine::cpu
