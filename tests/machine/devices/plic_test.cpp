#include "machine/devices/plic.h"

#include <gtest/gtest.h>

#include "device_test_support.h"

namespace ftvm::machine {
namespace {

using testing::FakeHart;

constexpr std::uint64_t kCtx0 = Plic::kContextBase;
constexpr std::uint64_t kCtx1 = Plic::kContextBase + Plic::kContextStride;

class PlicTest : public ::testing::Test {
 protected:
  void w(std::uint64_t off, std::uint32_t v) { plic.mmio_write(off, 4, v); }
  std::uint32_t r(std::uint64_t off) { return static_cast<std::uint32_t>(plic.mmio_read(off, 4)); }
  FakeHart hart;
  Plic plic{hart};
};

TEST_F(PlicTest, PendingSourceReachesOnlyEnabledContextAboveThreshold) {
  w(4 * 10, 1);                         // priority of source 10
  w(Plic::kEnableBase + Plic::kEnableStride, 1u << 10);  // enabled for S-mode only
  plic.set_irq(10, true);
  EXPECT_EQ(r(Plic::kPendingBase), 1u << 10);
  EXPECT_TRUE(hart.line(HartLine::kSupervisorExternal));
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));
  w(kCtx1, 1);  // threshold 1: priority 1 no longer exceeds it
  EXPECT_FALSE(hart.line(HartLine::kSupervisorExternal));
  w(kCtx1, 0);
  EXPECT_TRUE(hart.line(HartLine::kSupervisorExternal));
}

TEST_F(PlicTest, ZeroPriorityNeverInterrupts) {
  w(Plic::kEnableBase, 1u << 3);
  plic.set_irq(3, true);
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));
  EXPECT_EQ(r(kCtx0 + 4), 0u);
}

TEST_F(PlicTest, ClaimReturnsHighestPriorityThenLowestId) {
  w(4 * 1, 2);
  w(4 * 5, 5);
  w(4 * 7, 5);
  w(Plic::kEnableBase, (1u << 1) | (1u << 5) | (1u << 7));
  plic.set_irq(1, true);
  plic.set_irq(5, true);
  plic.set_irq(7, true);
  EXPECT_EQ(r(kCtx0 + 4), 5u);
  EXPECT_EQ(r(kCtx0 + 4), 7u);
  EXPECT_EQ(r(kCtx0 + 4), 1u);
  EXPECT_EQ(r(kCtx0 + 4), 0u);
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));
}

TEST_F(PlicTest, LevelStillHighAtCompleteRepends) {
  w(4 * 10, 1);
  w(Plic::kEnableBase, 1u << 10);
  plic.set_irq(10, true);
  EXPECT_EQ(r(kCtx0 + 4), 10u);
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));  // in service: not pending
  plic.set_irq(10, true);                               // still high while claimed
  EXPECT_EQ(r(Plic::kPendingBase), 0u);
  w(kCtx0 + 4, 10);  // complete
  EXPECT_TRUE(hart.line(HartLine::kMachineExternal));
  EXPECT_EQ(r(kCtx0 + 4), 10u);
  plic.set_irq(10, false);
  w(kCtx0 + 4, 10);
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));
  EXPECT_EQ(r(kCtx0 + 4), 0u);
}

TEST_F(PlicTest, LoweredLineBeforeClaimClearsPending) {
  w(4 * 2, 1);
  w(Plic::kEnableBase, 1u << 2);
  plic.set_irq(2, true);
  plic.set_irq(2, false);
  EXPECT_FALSE(hart.line(HartLine::kMachineExternal));
  EXPECT_EQ(r(kCtx0 + 4), 0u);
}

TEST_F(PlicTest, RegistersReadBackAndIgnoreBadSources) {
  w(4 * 4, 0xffffffff);
  EXPECT_EQ(r(4 * 4), Plic::kMaxPriority);
  w(0, 3);  // source 0 does not exist
  EXPECT_EQ(r(0), 0u);
  w(Plic::kEnableBase, 0xffffffff);
  EXPECT_EQ(r(Plic::kEnableBase), 0xfffffffeu);
  plic.set_irq(0, true);
  plic.set_irq(200, true);
  EXPECT_EQ(r(Plic::kPendingBase), 0u);
  w(kCtx0 + 4, 999);  // completing a bogus id is ignored
  EXPECT_EQ(r(0x3ffffc), 0u);
}

}  // namespace
}  // namespace ftvm::machine
