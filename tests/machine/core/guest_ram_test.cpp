#include "machine/core/guest_ram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using ftvm::machine::GuestRam;

TEST(GuestRam, RejectsEveryAccessOutsideRam) {
  GuestRam ram(0x8000'0000, 1 << 20);
  std::uint8_t b = 7;
  EXPECT_TRUE(ram.write(0x8000'0000, &b, 1));
  EXPECT_TRUE(ram.write(0x8000'0000 + (1 << 20) - 1, &b, 1));
  EXPECT_FALSE(ram.write(0x8000'0000 + (1 << 20), &b, 1));
  EXPECT_FALSE(ram.write(0x7fff'ffff, &b, 1));
  EXPECT_FALSE(ram.write(0x8000'0000 + (1 << 20) - 1, &b, 2));
  // Length that would wrap the address space.
  EXPECT_EQ(ram.host_ptr(0x8000'0010, UINT64_MAX - 8), nullptr);
  EXPECT_EQ(ram.host_ptr(UINT64_MAX, 2), nullptr);
}

TEST(GuestRam, WriteToCodePageCallsHookOnce) {
  GuestRam ram(0x8000'0000, 1 << 20);
  std::vector<std::uint64_t> hit;
  ram.set_code_write_hook([&](std::uint64_t p) { hit.push_back(p); });
  ram.mark_code_page(3);
  std::uint32_t v = 0x13;
  ram.write(0x8000'0000 + 3 * 4096 + 8, &v, 4);
  ram.write(0x8000'0000 + 3 * 4096 + 12, &v, 4);
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0], 3u);
  EXPECT_FALSE(ram.is_code_page(3));
}

TEST(GuestRam, DirtyTrackingReportsWrittenPages) {
  GuestRam ram(0x8000'0000, 1 << 20);
  ram.set_dirty_tracking(true);
  std::uint64_t v = 1;
  ram.write(0x8000'0000 + 5 * 4096 - 4, &v, 8);  // spans pages 4 and 5
  auto pages = ram.take_dirty_pages();
  EXPECT_EQ(pages, (std::vector<std::uint64_t>{4, 5}));
  EXPECT_TRUE(ram.take_dirty_pages().empty());
}
