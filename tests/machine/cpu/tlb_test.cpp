// The software TLB's flush bookkeeping: a flush resets exactly the entries
// filled since the previous one, and falls back to sweeping every array when
// more entries were filled than its log holds.
#include <gtest/gtest.h>

#include <cstdint>

#include "machine/cpu/tlb.h"

namespace ftvm::machine::cpu {
namespace {

// Fills `count` load entries of context `ctx` with distinct pages.
void fill_loads(Tlb& tlb, unsigned ctx, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    std::uint64_t vpn = 0x1000 + i;
    tlb.fill_load(tlb.load[ctx][tlb_set(vpn << 12)], vpn, 0x5000 + i);
  }
}

unsigned valid_entries(const Tlb& tlb) {
  unsigned n = 0;
  for (const auto& ctx : tlb.load)
    for (const auto& e : ctx) n += e.tag != kTlbInvalid;
  for (const auto& ctx : tlb.store)
    for (const auto& e : ctx) n += e.tag != kTlbInvalid;
  for (const auto& ctx : tlb.fetch)
    for (const auto& e : ctx) n += e.tag != kTlbInvalid;
  return n;
}

TEST(TlbFlush, FlushAllResetsLoggedEntriesOfEveryKind) {
  Tlb tlb;
  fill_loads(tlb, 0, 10);
  tlb.fill_store(tlb.store[2][7], 7, 0x100);
  tlb.fill_fetch(tlb.fetch[1][9], 9, nullptr);
  EXPECT_EQ(valid_entries(tlb), 12u);
  tlb.flush_all();
  EXPECT_EQ(valid_entries(tlb), 0u);
}

TEST(TlbFlush, OverflowingTheLogStillFlushesEverything) {
  Tlb tlb;
  // Every context of every kind, well past the log's capacity.
  for (unsigned ctx = 0; ctx < kTlbContexts; ++ctx) {
    fill_loads(tlb, ctx, kTlbSets);
    for (unsigned s = 0; s < kTlbSets; ++s) {
      tlb.fill_store(tlb.store[ctx][s], s, 0x10);
      tlb.fill_fetch(tlb.fetch[ctx][s], s, nullptr);
    }
  }
  EXPECT_EQ(valid_entries(tlb), 3 * kTlbContexts * kTlbSets);
  tlb.flush_all();
  EXPECT_EQ(valid_entries(tlb), 0u);
  // The log starts over: later fills are flushed by the logged path again.
  fill_loads(tlb, 3, 5);
  tlb.flush_all();
  EXPECT_EQ(valid_entries(tlb), 0u);
}

TEST(TlbFlush, RefillingTheSameSetManyTimesIsHandled) {
  Tlb tlb;
  // The same slot refilled more often than the log holds: overflow path.
  for (unsigned i = 0; i < 3 * kFillLogCapacity; ++i) tlb.fill_load(tlb.load[1][4], 4 + i * kTlbSets, i);
  fill_loads(tlb, 0, 3);
  tlb.flush_all();
  EXPECT_EQ(valid_entries(tlb), 0u);
}

TEST(TlbFlush, FlushFetchLeavesDataEntries) {
  Tlb tlb;
  fill_loads(tlb, 2, 4);
  tlb.fill_fetch(tlb.fetch[0][1], 1, nullptr);
  tlb.flush_fetch();
  EXPECT_EQ(valid_entries(tlb), 4u);
  EXPECT_EQ(tlb.fetch[0][1].tag, kTlbInvalid);
}

TEST(TlbFlush, DropStoresToRemovesOnlyEntriesMappingThatHostPage) {
  Tlb tlb;
  alignas(4096) static std::uint8_t pages[2][4096];
  auto host = [&](int p) { return reinterpret_cast<std::uintptr_t>(pages[p]); };
  // va page 0x42 -> host page 0; va page 0x43 -> host page 1.
  tlb.fill_store(tlb.store[0][tlb_set(0x42000)], 0x42, host(0) - 0x42000);
  tlb.fill_store(tlb.store[2][tlb_set(0x43000)], 0x43, host(1) - 0x43000);
  tlb.drop_stores_to(pages[0]);
  EXPECT_EQ(tlb.store[0][tlb_set(0x42000)].tag, kTlbInvalid);
  EXPECT_EQ(tlb.store[2][tlb_set(0x43000)].tag, 0x43u);
}

}  // namespace
}  // namespace ftvm::machine::cpu
