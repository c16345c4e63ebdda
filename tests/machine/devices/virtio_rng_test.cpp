#include "machine/devices/virtio_rng.h"

#include <gtest/gtest.h>

#include "device_test_support.h"
#include "machine/core/error.h"
#include "machine/core/machine_config.h"
#include "virtio_test_driver.h"

namespace ftvm::machine {
namespace {

using testing::IrqRecorder;
using testing::OutputCollector;
using testing::TestVirtioDriver;

constexpr std::uint64_t kBuf = layout::kRamBase + 0x40000;

struct VirtioRngTest : ::testing::Test {
  void SetUp() override { ASSERT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1, 1)); }
  GuestRam ram{layout::kRamBase, 1 << 20};
  OutputCollector out;
  IrqRecorder irq;
  VirtioRng rng{ram, out, irq, 4, 3};
  TestVirtioDriver drv{ram, rng, layout::kRamBase + 0x10000};
};

TEST_F(VirtioRngTest, PostedBufferBecomesRequestAndCompletionFillsIt) {
  std::uint16_t head = drv.post(0, {{kBuf, 32, true}});
  drv.notify(0);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kEntropyRequest);
  EXPECT_EQ(out.outputs[0].device, 3u);
  EXPECT_EQ(out.outputs[0].length, 32u);
  EXPECT_EQ(drv.used_idx(0), 0u);

  Input in;
  in.kind = InputKind::kCompletion;
  in.device = 3;
  in.value = out.outputs[0].tag;
  for (int i = 0; i < 32; ++i) in.bytes.push_back(static_cast<std::uint8_t>(0x80 + i));
  rng.apply_input(in);
  EXPECT_EQ(drv.used_idx(0), 1u);
  EXPECT_EQ(drv.used_elem(0, 0), std::make_pair(std::uint32_t{head}, 32u));
  std::vector<std::uint8_t> got(32);
  ram.read(kBuf, got.data(), got.size());
  EXPECT_EQ(got, in.bytes);
  EXPECT_TRUE(irq.level(4));
}

TEST_F(VirtioRngTest, ShortAnswerFillsPartAndLargeBuffersAreCapped) {
  drv.post(0, {{kBuf, 0x8000, true}});
  drv.notify(0);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].length, VirtioRng::kMaxRequestBytes);
  Input in;
  in.kind = InputKind::kCompletion;
  in.value = out.outputs[0].tag;
  in.bytes.assign(10, 0x11);
  rng.apply_input(in);
  EXPECT_EQ(drv.used_elem(0, 0).second, 10u);
}

TEST_F(VirtioRngTest, UnknownTagIsAClearError) {
  Input in;
  in.kind = InputKind::kCompletion;
  in.value = 77;
  EXPECT_THROW(rng.apply_input(in), Error);
}

TEST_F(VirtioRngTest, ReissueRepeatsOutstandingRequests) {
  drv.post(0, {{kBuf, 16, true}});
  drv.post(0, {{kBuf + 0x100, 8, true}});
  drv.notify(0);
  ASSERT_EQ(out.outputs.size(), 2u);
  out.outputs.clear();
  rng.reissue_in_flight();
  ASSERT_EQ(out.outputs.size(), 2u);
  EXPECT_EQ(out.outputs[0].length, 16u);
  EXPECT_EQ(out.outputs[1].length, 8u);
  EXPECT_LT(out.outputs[0].tag, out.outputs[1].tag);
}

}  // namespace
}  // namespace ftvm::machine
