#include "machine/devices/test_finisher.h"

#include <gtest/gtest.h>

#include "device_test_support.h"

namespace ftvm::machine {
namespace {

using testing::FakeHart;
using testing::OutputCollector;

struct FinisherTest : ::testing::Test {
  OutputCollector out;
  FakeHart hart;
  TestFinisher fin{out, hart};
};

TEST_F(FinisherTest, PassPowersOffWithZero) {
  fin.mmio_write(0, 4, 0x5555);
  EXPECT_EQ(fin.state(), TestFinisher::State::kPowerOff);
  EXPECT_EQ(fin.exit_code(), 0);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kPowerOff);
  EXPECT_EQ(out.outputs[0].offset, 0u);
  EXPECT_EQ(hart.stop_requests, 1);
}

TEST_F(FinisherTest, FailCarriesTheCode) {
  fin.mmio_write(0, 4, 0x3333 | (42u << 16));
  EXPECT_EQ(fin.state(), TestFinisher::State::kPowerOff);
  EXPECT_EQ(fin.exit_code(), 42);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].offset, 42u);
}

TEST_F(FinisherTest, FailWithCodeZeroIsStillAFailure) {
  fin.mmio_write(0, 4, 0x3333);
  EXPECT_EQ(fin.exit_code(), 1);
}

TEST_F(FinisherTest, ResetRequest) {
  fin.mmio_write(0, 4, 0x7777);
  EXPECT_EQ(fin.state(), TestFinisher::State::kReset);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kReset);
  EXPECT_EQ(hart.stop_requests, 1);
}

TEST_F(FinisherTest, OtherValuesAndOffsetsAreIgnored) {
  fin.mmio_write(0, 4, 0x1234);
  fin.mmio_write(8, 4, 0x5555);
  EXPECT_EQ(fin.state(), TestFinisher::State::kRunning);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(hart.stop_requests, 0);
}

TEST_F(FinisherTest, OnlyTheFirstRequestCounts) {
  fin.mmio_write(0, 4, 0x3333 | (7u << 16));
  fin.mmio_write(0, 4, 0x5555);
  EXPECT_EQ(fin.exit_code(), 7);
  EXPECT_EQ(out.outputs.size(), 1u);
}

}  // namespace
}  // namespace ftvm::machine
