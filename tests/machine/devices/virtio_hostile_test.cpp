// Hostile drivers: malformed rings and descriptors must end in an error
// status or DEVICE_NEEDS_RESET, never a crash or an access outside RAM.
#include <gtest/gtest.h>

#include "device_test_support.h"
#include "machine/core/machine_config.h"
#include "machine/devices/virtio_block.h"
#include "machine/devices/virtio_net.h"
#include "machine/devices/virtio_rng.h"
#include "virtio_test_driver.h"

namespace ftvm::machine {
namespace {

using testing::IrqRecorder;
using testing::OutputCollector;
using testing::TestVirtioDriver;

constexpr std::uint64_t kRam = 1 << 20;
constexpr std::uint64_t kHdr = layout::kRamBase + 0x40000;
constexpr std::uint64_t kStatus = layout::kRamBase + 0x48000;
constexpr std::uint64_t kData = layout::kRamBase + 0x50000;
constexpr std::uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

class HostileBlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(drv.initialize(drv.device_features(), 1));
    std::uint32_t hdr[4] = {VirtioBlock::kTypeIn, 0, 0, 0};
    ram.write(kHdr, hdr, sizeof hdr);
    std::uint8_t marker = 0xee;
    ram.write(kStatus, &marker, 1);
  }
  bool needs_reset() const { return blk.status() & VirtioMmio::kStatusNeedsReset; }
  std::uint8_t status_byte() {
    std::uint8_t s = 0;
    ram.read(kStatus, &s, 1);
    return s;
  }
  void expect_reset_requested() {
    EXPECT_TRUE(needs_reset());
    EXPECT_TRUE(blk.interrupt_status() & VirtioMmio::kIntConfigChange);
    EXPECT_TRUE(irq.level(1));
    EXPECT_TRUE(out.outputs.empty());
  }

  GuestRam ram{layout::kRamBase, kRam};
  OutputCollector out;
  IrqRecorder irq;
  VirtioBlock blk{ram, out, irq, 1, 1, 1 << 20, false};
  TestVirtioDriver drv{ram, blk, layout::kRamBase + 0x10000};
};

TEST_F(HostileBlockTest, DataDescriptorOutsideRamFailsWithIoErr) {
  drv.post(0, {{kHdr, 16, false}, {layout::kRamBase + kRam - 256, 512, true}, {kStatus, 1, true}});
  drv.notify(0);
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_FALSE(needs_reset());
  EXPECT_EQ(drv.used_idx(0), 1u);
}

TEST_F(HostileBlockTest, DescriptorInMmioSpaceFailsWithIoErr) {
  drv.post(0, {{kHdr, 16, false}, {layout::kUart, 512, true}, {kStatus, 1, true}});
  drv.notify(0);
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
}

TEST_F(HostileBlockTest, LengthThatWrapsTheAddressSpaceFailsWithIoErr) {
  drv.post(0, {{kHdr, 16, false}, {UINT64_MAX - 100, 0xffffffff, true}, {kStatus, 1, true}});
  drv.notify(0);
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
}

TEST_F(HostileBlockTest, StatusDescriptorOutsideRamNeedsReset) {
  drv.post(0, {{kHdr, 16, false}, {kData, 512, true}, {0x1000, 1, true}});
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, DescriptorLoopNeedsReset) {
  drv.write_desc(0, 0, kHdr, 16, kNext, 1);
  drv.write_desc(0, 1, kData, 512, kNext | kWrite, 0);  // points back to the head
  drv.push_avail(0, 0);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, NextIndexOutOfRangeNeedsReset) {
  drv.write_desc(0, 0, kHdr, 16, kNext, 999);
  drv.push_avail(0, 0);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, HeadIndexOutOfRangeNeedsReset) {
  drv.push_avail(0, 500);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, AvailIndexJumpNeedsReset) {
  drv.set_avail_idx(0, 1000);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, IndirectDescriptorNotOfferedNeedsReset) {
  drv.write_desc(0, 0, kHdr, 16, kIndirect, 0);
  drv.push_avail(0, 0);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, QueueInMmioSpaceNeedsReset) {
  drv.set_reg(VirtioMmio::kStatus, 0);
  drv.set_reg(VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge | VirtioMmio::kStatusDriver);
  drv.set_reg(VirtioMmio::kDriverFeaturesSel, 1);
  drv.set_reg(VirtioMmio::kDriverFeatures, 1);
  drv.set_reg(VirtioMmio::kStatus, 0xb);
  drv.setup_queue(0, layout::kPlic, layout::kUart, layout::kClint);
  drv.set_reg(VirtioMmio::kStatus, 0xf);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, QueueStraddlingTheEndOfRamNeedsReset) {
  drv.set_reg(VirtioMmio::kStatus, 0);
  drv.set_reg(VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge | VirtioMmio::kStatusDriver);
  drv.set_reg(VirtioMmio::kDriverFeaturesSel, 1);
  drv.set_reg(VirtioMmio::kDriverFeatures, 1);
  drv.set_reg(VirtioMmio::kStatus, 0xb);
  drv.setup_queue(0, layout::kRamBase + kRam - 64, drv.avail_addr(0), drv.used_addr(0));
  drv.set_reg(VirtioMmio::kStatus, 0xf);
  drv.notify(0);
  expect_reset_requested();
}

TEST_F(HostileBlockTest, HeaderTooShortFailsWithIoErr) {
  drv.post(0, {{kHdr, 8, false}, {kStatus, 1, true}});
  drv.notify(0);
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
}

TEST_F(HostileBlockTest, ResetRecoversTheDevice) {
  drv.push_avail(0, 500);
  drv.notify(0);
  ASSERT_TRUE(needs_reset());
  // Further notifies are ignored until the driver resets.
  drv.notify(0);
  EXPECT_TRUE(out.outputs.empty());
  ASSERT_TRUE(drv.initialize(drv.device_features(), 1));
  EXPECT_FALSE(needs_reset());
  EXPECT_FALSE(irq.level(1));
  drv.post(0, {{kHdr, 16, false}, {kData, 512, true}, {kStatus, 1, true}});
  drv.notify(0);
  EXPECT_EQ(out.outputs.size(), 1u);
}

TEST(HostileVirtio, NetTxDescriptorOutsideRamNeedsReset) {
  GuestRam ram{layout::kRamBase, kRam};
  OutputCollector out;
  IrqRecorder irq;
  std::uint8_t mac[6] = {};
  VirtioNet net{ram, out, irq, 2, 2, mac};
  TestVirtioDriver drv{ram, net, layout::kRamBase + 0x10000};
  ASSERT_TRUE(drv.initialize(drv.device_features(), 2));
  drv.post(VirtioNet::kTxQueue, {{layout::kRamBase + kRam - 8, 100, false}});
  drv.notify(VirtioNet::kTxQueue);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_TRUE(net.status() & VirtioMmio::kStatusNeedsReset);
}

TEST(HostileVirtio, RngLoopNeedsReset) {
  GuestRam ram{layout::kRamBase, kRam};
  OutputCollector out;
  IrqRecorder irq;
  VirtioRng rng{ram, out, irq, 3, 3};
  TestVirtioDriver drv{ram, rng, layout::kRamBase + 0x10000};
  ASSERT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1, 1));
  drv.write_desc(0, 3, kData, 16, kNext | kWrite, 3);  // points at itself
  drv.push_avail(0, 3);
  drv.notify(0);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_TRUE(rng.status() & VirtioMmio::kStatusNeedsReset);
}

}  // namespace
}  // namespace ftvm::machine

namespace ftvm::machine {
namespace {

TEST(HostileVirtio, QueueSizeAboveMaximumOrNotAPowerOfTwoNeedsReset) {
  for (std::uint32_t bad_size : {3u, 512u, 0u}) {
    GuestRam ram{layout::kRamBase, kRam};
    OutputCollector out;
    IrqRecorder irq;
    VirtioRng rng{ram, out, irq, 3, 3};
    TestVirtioDriver drv{ram, rng, layout::kRamBase + 0x10000};
    ASSERT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1, 1));
    drv.set_reg(VirtioMmio::kQueueReady, 0);
    drv.set_reg(VirtioMmio::kQueueNum, bad_size);
    drv.set_reg(VirtioMmio::kQueueReady, 1);
    drv.post(0, {{layout::kRamBase + 0x40000, 16, true}});
    drv.notify(0);
    EXPECT_TRUE(out.outputs.empty()) << bad_size;
    EXPECT_TRUE(rng.status() & VirtioMmio::kStatusNeedsReset) << bad_size;
  }
}

}  // namespace
}  // namespace ftvm::machine
