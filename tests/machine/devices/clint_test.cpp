#include "machine/devices/clint.h"

#include <gtest/gtest.h>

#include "device_test_support.h"

namespace ftvm::machine {
namespace {

using testing::FakeHart;

class ClintTest : public ::testing::Test {
 protected:
  FakeHart hart;
  VirtualClock clock{10};  // one tick every 10 instructions
  Clint clint{clock, hart};
};

TEST_F(ClintTest, MtimeFollowsTheVirtualClock) {
  hart.now = 0;
  EXPECT_EQ(clint.mmio_read(Clint::kMtime, 8), 0u);
  hart.now = 1234;
  EXPECT_EQ(clint.mmio_read(Clint::kMtime, 8), 123u);
  EXPECT_EQ(clint.mmio_read(Clint::kMtime, 4), 123u);
  EXPECT_EQ(clint.mmio_read(Clint::kMtime + 4, 4), 0u);
}

TEST_F(ClintTest, TimerLineRisesWhenClockReachesCompare) {
  EXPECT_EQ(clint.mtimecmp(), UINT64_MAX);
  clint.mmio_write(Clint::kMtimecmp, 8, 50);
  EXPECT_FALSE(hart.line(HartLine::kMachineTimer));
  hart.now = 499;
  clint.update_timer_line();
  EXPECT_FALSE(hart.line(HartLine::kMachineTimer));
  hart.now = 500;
  clint.update_timer_line();
  EXPECT_TRUE(hart.line(HartLine::kMachineTimer));
  // Re-arming into the future lowers it.
  clint.mmio_write(Clint::kMtimecmp, 8, 1000);
  EXPECT_FALSE(hart.line(HartLine::kMachineTimer));
}

TEST_F(ClintTest, Split32BitCompareWrites) {
  clint.mmio_write(Clint::kMtimecmp, 4, 0xffffffff);
  clint.mmio_write(Clint::kMtimecmp + 4, 4, 0x1);
  EXPECT_EQ(clint.mtimecmp(), 0x1ffffffffull);
  EXPECT_EQ(clint.mmio_read(Clint::kMtimecmp + 4, 4), 1u);
}

TEST_F(ClintTest, GuestWriteToMtimeSetsTheClock) {
  hart.now = 100;
  clint.mmio_write(Clint::kMtimecmp, 8, 5000);
  clint.mmio_write(Clint::kMtime, 8, 5000);
  EXPECT_EQ(clock.mtime(100), 5000u);
  EXPECT_TRUE(hart.line(HartLine::kMachineTimer));
  hart.now = 200;
  EXPECT_EQ(clint.mmio_read(Clint::kMtime, 8), 5010u);
}

TEST_F(ClintTest, MsipDrivesSoftwareInterrupt) {
  clint.mmio_write(Clint::kMsip, 4, 1);
  EXPECT_TRUE(hart.line(HartLine::kMachineSoftware));
  EXPECT_EQ(clint.mmio_read(Clint::kMsip, 4), 1u);
  clint.mmio_write(Clint::kMsip, 4, 2);  // only bit 0 exists
  EXPECT_FALSE(hart.line(HartLine::kMachineSoftware));
  EXPECT_EQ(clint.mmio_read(Clint::kMsip, 4), 0u);
}

TEST_F(ClintTest, HashCoversCompare) {
  auto hash = [&] {
    StateHasher h;
    clint.hash_state(h);
    return h.digest();
  };
  std::uint64_t before = hash();
  clint.mmio_write(Clint::kMtimecmp, 8, 7);
  EXPECT_NE(hash(), before);
}

}  // namespace
}  // namespace ftvm::machine
