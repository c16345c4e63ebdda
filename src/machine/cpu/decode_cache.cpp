#include "machine/cpu/decode_cache.h"

namespace ftvm::machine::cpu {

DecodeCache::DecodeCache(GuestRam& ram, Handler decode, Handler page_end)
    : ram_(ram), decode_(decode), page_end_(page_end), pages_(ram.page_count()) {}

// Only the handler pointers change: the op whose store triggered this reset
// may still be executing and reads its own fields (len, rd) afterwards.
void DecodeCache::reset_slots(DecodedPage& page) const {
  for (unsigned i = 0; i < kSlotsPerPage; ++i) page.ops[i].fn = decode_;
  page.ops[kSlotsPerPage].fn = page_end_;
  page.native.reset();
  page.native_entries = nullptr;
}

DecodedPage* DecodeCache::get(std::uint64_t page_index) {
  auto& slot = pages_[page_index];
  if (!slot) {
    slot = std::make_unique<DecodedPage>();  // value-initialised ops
    slot->host = ram_.data() + (page_index << kPageShift);
    slot->page_index = page_index;
    reset_slots(*slot);
    live_.push_back(page_index);
  }
  return slot.get();
}

void DecodeCache::invalidate(std::uint64_t page_index) {
  if (page_index < pages_.size() && pages_[page_index]) reset_slots(*pages_[page_index]);
}

void DecodeCache::clear() {
  for (std::uint64_t i : live_) pages_[i].reset();
  live_.clear();
}

}  // namespace ftvm::machine::cpu
