#include "machine/devices/virtio_net.h"

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

class VirtioNetTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(drv.initialize(drv.device_features(), 2)); }

  static std::vector<std::uint8_t> frame(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> f(n);
    for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<std::uint8_t>(seed + i);
    return f;
  }
  void receive(std::vector<std::uint8_t> bytes) {
    Input in;
    in.kind = InputKind::kDeviceData;
    in.device = 2;
    in.bytes = std::move(bytes);
    net.apply_input(in);
  }
  // Posts an rx buffer of `len` bytes at buffer slot i.
  void post_rx(unsigned i, std::uint32_t len = 2048) { drv.post(VirtioNet::kRxQueue, {{kBuf + i * 0x1000, len, true}}); }
  std::vector<std::uint8_t> rx_payload(unsigned i, std::size_t n) {
    std::vector<std::uint8_t> got(n);
    ram.read(kBuf + i * 0x1000 + VirtioNet::kHeaderBytes, got.data(), n);
    return got;
  }

  GuestRam ram{layout::kRamBase, 1 << 20};
  OutputCollector out;
  IrqRecorder irq;
  std::uint8_t mac[6] = {0x52, 0x54, 0, 0xaa, 0xbb, 0xcc};
  VirtioNet net{ram, out, irq, 2, 2, mac};
  TestVirtioDriver drv{ram, net, layout::kRamBase + 0x10000};
};

TEST_F(VirtioNetTest, OffersMacAndVersion1Only) {
  EXPECT_EQ(drv.device_features(), VirtioMmio::kFeatureVersion1 | VirtioNet::kFeatureMac);
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(net.mmio_read(VirtioMmio::kConfig + i, 1), mac[i]);
}

TEST_F(VirtioNetTest, TransmitStripsHeaderAndEmitsFrame) {
  std::vector<std::uint8_t> hdr(12, 0), payload = frame(60, 1);
  ram.write(kBuf, hdr.data(), hdr.size());
  ram.write(kBuf + 0x100, payload.data(), payload.size());
  // Header and payload in separate descriptors, as Linux may send them.
  std::uint16_t head = drv.post(VirtioNet::kTxQueue, {{kBuf, 12, false}, {kBuf + 0x100, 60, false}});
  drv.notify(VirtioNet::kTxQueue);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kNetFrame);
  EXPECT_EQ(out.outputs[0].device, 2u);
  EXPECT_EQ(out.outputs[0].bytes, payload);
  EXPECT_EQ(drv.used_idx(VirtioNet::kTxQueue), 1u);
  EXPECT_EQ(drv.used_elem(VirtioNet::kTxQueue, 0).first, head);
  EXPECT_TRUE(irq.level(2));
}

TEST_F(VirtioNetTest, ReceiveIntoPostedBuffer) {
  post_rx(0);
  drv.notify(VirtioNet::kRxQueue);
  auto f = frame(100, 9);
  receive(f);
  EXPECT_EQ(drv.used_idx(VirtioNet::kRxQueue), 1u);
  EXPECT_EQ(drv.used_elem(VirtioNet::kRxQueue, 0).second, 112u);
  EXPECT_EQ(rx_payload(0, 100), f);
  std::uint16_t num_buffers = 0;
  ram.read(kBuf + 10, &num_buffers, 2);
  EXPECT_EQ(num_buffers, 1u);
  EXPECT_TRUE(irq.level(2));
}

TEST_F(VirtioNetTest, FramesWaitInFifoUntilBuffersArePosted) {
  auto a = frame(64, 1), b = frame(70, 2);
  receive(a);
  receive(b);
  EXPECT_EQ(net.rx_backlog(), 2u);
  EXPECT_EQ(drv.used_idx(VirtioNet::kRxQueue), 0u);
  post_rx(0);
  drv.notify(VirtioNet::kRxQueue);
  EXPECT_EQ(net.rx_backlog(), 1u);
  EXPECT_EQ(rx_payload(0, 64), a);
  post_rx(1);
  drv.notify(VirtioNet::kRxQueue);
  EXPECT_EQ(net.rx_backlog(), 0u);
  EXPECT_EQ(rx_payload(1, 70), b);
  EXPECT_EQ(drv.used_idx(VirtioNet::kRxQueue), 2u);
}

TEST_F(VirtioNetTest, FifoIsBoundedAndDropsTheNewest) {
  for (std::size_t i = 0; i < VirtioNet::kRxFifoFrames + 10; ++i) receive(frame(60, static_cast<std::uint8_t>(i)));
  EXPECT_EQ(net.rx_backlog(), VirtioNet::kRxFifoFrames);
  EXPECT_EQ(net.rx_dropped_full(), 10u);
  post_rx(0);
  drv.notify(VirtioNet::kRxQueue);
  EXPECT_EQ(rx_payload(0, 60), frame(60, 0));
}

TEST_F(VirtioNetTest, FrameTooBigForBufferIsDroppedBufferKept) {
  post_rx(0, 64);
  drv.notify(VirtioNet::kRxQueue);
  receive(frame(200, 3));
  EXPECT_EQ(net.rx_backlog(), 0u);
  EXPECT_EQ(net.rx_dropped_too_big(), 1u);
  EXPECT_EQ(drv.used_idx(VirtioNet::kRxQueue), 0u);
  receive(frame(40, 4));  // fits in 64 - 12
  EXPECT_EQ(drv.used_idx(VirtioNet::kRxQueue), 1u);
  EXPECT_EQ(rx_payload(0, 40), frame(40, 4));
}

TEST_F(VirtioNetTest, ResetDropsBacklogAndOnlyDataInputsAccepted) {
  receive(frame(60, 1));
  drv.set_reg(VirtioMmio::kStatus, 0);
  EXPECT_EQ(net.rx_backlog(), 0u);
  Input c;
  c.kind = InputKind::kCompletion;
  EXPECT_THROW(net.apply_input(c), Error);
}

}  // namespace
}  // namespace ftvm::machine
