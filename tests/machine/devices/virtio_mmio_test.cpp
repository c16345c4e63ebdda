// The virtio-mmio register protocol: identification, feature negotiation,
// queue setup, status and interrupt acknowledgement.
#include "machine/devices/virtio_mmio.h"

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

struct VirtioMmioTest : ::testing::Test {
  GuestRam ram{layout::kRamBase, 1 << 20};
  OutputCollector out;
  IrqRecorder irq;
  VirtioBlock blk{ram, out, irq, 1, 1, 1 << 20, false};
  TestVirtioDriver drv{ram, blk, layout::kRamBase + 0x10000};
};

TEST_F(VirtioMmioTest, IdentifiesAsVersion2BlockDevice) {
  EXPECT_EQ(drv.reg(VirtioMmio::kMagic), 0x74726976u);
  EXPECT_EQ(drv.reg(VirtioMmio::kVersion), 2u);
  EXPECT_EQ(drv.reg(VirtioMmio::kDeviceId), 2u);
  EXPECT_EQ(drv.reg(VirtioMmio::kVendorId), VirtioMmio::kVendor);
  GuestRam r2{layout::kRamBase, 1 << 20};
  std::uint8_t mac[6] = {1, 2, 3, 4, 5, 6};
  VirtioNet net{r2, out, irq, 2, 2, mac};
  VirtioRng rng{r2, out, irq, 3, 3};
  EXPECT_EQ(net.mmio_read(VirtioMmio::kDeviceId, 4), 1u);
  EXPECT_EQ(rng.mmio_read(VirtioMmio::kDeviceId, 4), 4u);
  // The net config space starts with the MAC.
  EXPECT_EQ(net.mmio_read(VirtioMmio::kConfig, 1), 1u);
  EXPECT_EQ(net.mmio_read(VirtioMmio::kConfig + 5, 1), 6u);
}

TEST_F(VirtioMmioTest, OffersVersion1AndNoRingFeaturesItLacks) {
  std::uint64_t f = drv.device_features();
  EXPECT_TRUE(f & VirtioMmio::kFeatureVersion1);
  EXPECT_FALSE(f & (1ull << 28));  // INDIRECT_DESC
  EXPECT_FALSE(f & (1ull << 29));  // EVENT_IDX
  EXPECT_TRUE(f & VirtioBlock::kFeatureFlush);
  EXPECT_FALSE(f & VirtioBlock::kFeatureReadOnly);
}

TEST_F(VirtioMmioTest, FeaturesOkRefusedForLegacyOrUnofferedFeatures) {
  EXPECT_FALSE(drv.initialize(0, 1));  // no VERSION_1: legacy driver
  EXPECT_FALSE(drv.initialize(VirtioMmio::kFeatureVersion1 | (1ull << 28), 1));
  EXPECT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1 | VirtioBlock::kFeatureFlush, 1));
  EXPECT_EQ(blk.driver_features(), VirtioMmio::kFeatureVersion1 | VirtioBlock::kFeatureFlush);
  EXPECT_TRUE(blk.status() & VirtioMmio::kStatusDriverOk);
}

TEST_F(VirtioMmioTest, QueueRegistersReadBackAndResetClearsThem) {
  ASSERT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1, 1));
  drv.set_reg(VirtioMmio::kQueueSel, 0);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueNumMax), VirtioMmio::kQueueMax);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueNum), TestVirtioDriver::kQueueSize);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueReady), 1u);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueDescLow), static_cast<std::uint32_t>(drv.desc_addr(0)));
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueDriverLow), static_cast<std::uint32_t>(drv.avail_addr(0)));
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueDeviceLow), static_cast<std::uint32_t>(drv.used_addr(0)));
  drv.set_reg(VirtioMmio::kQueueSel, 5);  // no such queue
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueNumMax), 0u);
  drv.set_reg(VirtioMmio::kStatus, 0);
  EXPECT_EQ(drv.reg(VirtioMmio::kStatus), 0u);
  drv.set_reg(VirtioMmio::kQueueSel, 0);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueReady), 0u);
  EXPECT_EQ(drv.reg(VirtioMmio::kQueueDescLow), 0u);
}

TEST_F(VirtioMmioTest, InterruptAckLowersTheLine) {
  ASSERT_TRUE(drv.initialize(VirtioMmio::kFeatureVersion1, 1));
  std::uint64_t buf = layout::kRamBase + 0x40000;
  std::uint32_t hdr[4] = {VirtioBlock::kTypeGetId, 0, 0, 0};
  ram.write(buf, hdr, sizeof hdr);
  drv.post(0, {{buf, 16, false}, {buf + 0x100, 20, true}, {buf + 0x200, 1, true}});
  drv.notify(0);
  EXPECT_TRUE(irq.level(1));
  EXPECT_EQ(drv.reg(VirtioMmio::kInterruptStatus), VirtioMmio::kIntUsedBuffer);
  drv.set_reg(VirtioMmio::kInterruptAck, VirtioMmio::kIntUsedBuffer);
  EXPECT_FALSE(irq.level(1));
  EXPECT_EQ(drv.reg(VirtioMmio::kInterruptStatus), 0u);
}

TEST_F(VirtioMmioTest, NotifyBeforeDriverOkDoesNothing) {
  drv.set_reg(VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge);
  drv.setup_queue(0, drv.desc_addr(0), drv.avail_addr(0), drv.used_addr(0));
  std::uint64_t buf = layout::kRamBase + 0x40000;
  std::uint32_t hdr[4] = {VirtioBlock::kTypeIn, 0, 0, 0};
  ram.write(buf, hdr, sizeof hdr);
  drv.post(0, {{buf, 16, false}, {buf + 0x1000, 512, true}, {buf + 0x200, 1, true}});
  drv.notify(0);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(drv.used_idx(0), 0u);
}

TEST_F(VirtioMmioTest, NarrowOrUnalignedRegisterAccessIsHarmless) {
  EXPECT_EQ(blk.mmio_read(VirtioMmio::kMagic, 1), 0u);
  EXPECT_EQ(blk.mmio_read(VirtioMmio::kMagic + 2, 4), 0u);
  blk.mmio_write(VirtioMmio::kStatus, 1, 0xff);
  EXPECT_EQ(blk.status(), 0u);
  // Config space: capacity in 512-byte sectors, byte by byte.
  EXPECT_EQ(blk.mmio_read(VirtioMmio::kConfig, 8), (1u << 20) / 512);
  EXPECT_EQ(blk.mmio_read(VirtioMmio::kConfig + 1, 1), ((1u << 20) / 512) >> 8);
  EXPECT_EQ(blk.mmio_read(VirtioMmio::kConfig + 0x800, 4), 0u);
}

}  // namespace
}  // namespace ftvm::machine
