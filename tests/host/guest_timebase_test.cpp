// GuestTimebase: host time to mtime ticks and back, for a fresh guest (mtime
// 0 at construction) and for one that continues from an earlier mtime.
#include "host/guest_timebase.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "fake_clock.h"

namespace ftvm::host {
namespace {

constexpr std::uint64_t kHz = 10'000'000;  // 10 MHz timebase: 1 tick = 100 ns

TEST(GuestTimebase, ConvertsHostTimeToTicksFromBoot) {
  FakeClock clock;
  GuestTimebase tb(clock, kHz);
  EXPECT_EQ(tb.mtime_now(), 0u);
  clock.now += 1'500'000;  // 1.5 ms
  EXPECT_EQ(tb.mtime_now(), 15'000u);
  clock.now += 99;  // less than a tick more: rounds down
  EXPECT_EQ(tb.mtime_now(), 15'000u);
  EXPECT_EQ(tb.ns_until(20'000), 2'000'000 - 1'500'099);
  EXPECT_LT(tb.ns_until(10'000), 0);
}

TEST(GuestTimebase, RoundsWaitsUpAndSaturates) {
  EXPECT_EQ(GuestTimebase::ticks_to_ns_ceil(1, 3), 333'333'334);  // never wakes early
  EXPECT_EQ(GuestTimebase::ns_to_ticks(333'333'333, 3), 0u);
  EXPECT_EQ(GuestTimebase::ns_to_ticks(333'333'334, 3), 1u);
  EXPECT_EQ(GuestTimebase::ticks_to_ns_ceil(UINT64_MAX - 1, 1), INT64_MAX);
  EXPECT_EQ(GuestTimebase::ns_to_ticks(-5, kHz), 0u);
}

TEST(GuestTimebase, AContinuedGuestStartsAtItsOffset) {
  FakeClock clock;
  clock.now = 86'400'000'000'000;  // a day of host uptime: none of it is the guest's
  const std::uint64_t start = 123'456'789;
  GuestTimebase tb(clock, kHz, start);
  EXPECT_EQ(tb.mtime_now(), start);
  EXPECT_EQ(tb.ns_until(start), 0);   // already there
  EXPECT_LE(tb.ns_until(start - 1), 0);  // and past
  EXPECT_EQ(tb.ns_until(start + 1), 100);  // one tick ahead: 100 ns away
  EXPECT_EQ(tb.elapsed_ns(), 0);
}

// A rate that does not divide a second evenly: the start is exact, not
// rounded to whole nanoseconds in either direction.
TEST(GuestTimebase, TheOffsetIsExactAtAnyRate) {
  FakeClock clock;
  GuestTimebase tb(clock, 3, 10);
  EXPECT_EQ(tb.mtime_now(), 10u);
  clock.now += 333'333'333;  // just short of one tick at 3 Hz
  EXPECT_EQ(tb.mtime_now(), 10u);
  clock.now += 1;
  EXPECT_EQ(tb.mtime_now(), 11u);
}

TEST(GuestTimebase, AContinuedGuestFollowsTheHostClockRate) {
  FakeClock clock;
  const std::uint64_t start = 7'000'000'000;  // 700 s of guest time already
  GuestTimebase tb(clock, kHz, start);
  clock.now += 1'500'000;  // 1.5 ms of host time is 15 000 ticks at 10 MHz
  EXPECT_EQ(tb.mtime_now(), start + 15'000);
  clock.now += 2'000'000'000;  // two more seconds
  EXPECT_EQ(tb.mtime_now(), start + 15'000 + 2 * kHz);
  // A wait for a deadline ahead is measured from now, at the same rate.
  EXPECT_EQ(tb.ns_until(tb.mtime_now() + 30), 3'000);
}

TEST(GuestTimebase, AContinuedGuestNeverGoesBackAndReachesEveryDeadline) {
  FakeClock clock;
  const std::uint64_t start = 5'555'555;
  GuestTimebase tb(clock, 3'000'000'007, start);  // a rate above 1 GHz: several ticks a nanosecond
  std::uint64_t last = tb.mtime_now();
  EXPECT_EQ(last, start);
  for (std::int64_t step : {1, 7, 333, 1'000'000, 2, 999'999'999, 5}) {
    const std::uint64_t deadline = last + 1'000;
    const std::int64_t wait = tb.ns_until(deadline);
    ASSERT_GT(wait, 0);
    clock.now += wait;  // sleeping exactly as long as asked gets there
    EXPECT_GE(tb.mtime_now(), deadline);
    clock.now += step;
    const std::uint64_t now = tb.mtime_now();
    EXPECT_GE(now, last);
    last = now;
  }
}

TEST(GuestTimebase, AHugeOffsetSaturatesInsteadOfWrapping) {
  FakeClock clock;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  GuestTimebase tb(clock, kHz, kMax - 5);
  EXPECT_EQ(tb.mtime_now(), kMax - 5);
  clock.now += 1'000;  // 10 ticks: past the top
  EXPECT_EQ(tb.mtime_now(), kMax);
  EXPECT_EQ(tb.ns_until(kMax), 500 - 1'000);  // reached 500 ns ago
}

TEST(GuestTimebase, AZeroRateIsTreatedAsOneHertz) {
  FakeClock clock;
  GuestTimebase tb(clock, 0, 4);
  clock.now += 2'500'000'000;
  EXPECT_EQ(tb.mtime_now(), 6u);
}

}  // namespace
}  // namespace ftvm::host
