#include "machine/devices/virtio_block.h"

#include <gtest/gtest.h>

#include <cstring>

#include "device_test_support.h"
#include "machine/core/error.h"
#include "machine/core/machine_config.h"
#include "virtio_test_driver.h"

namespace ftvm::machine {
namespace {

using testing::IrqRecorder;
using testing::OutputCollector;
using testing::TestVirtioDriver;

constexpr std::uint64_t kDisk = 64 * 1024;
constexpr std::uint64_t kHdr = layout::kRamBase + 0x40000;
constexpr std::uint64_t kData = layout::kRamBase + 0x50000;
constexpr std::uint64_t kStatus = layout::kRamBase + 0x48000;

class VirtioBlockTest : public ::testing::Test {
 protected:
  explicit VirtioBlockTest(bool read_only = false)
      : blk(ram, out, irq, 3, 1, kDisk, read_only), drv(ram, blk, layout::kRamBase + 0x10000) {}
  void SetUp() override { ASSERT_TRUE(drv.initialize(drv.device_features(), 1)); }

  // Posts one request: header, data (direction by type), status byte.
  std::uint16_t request(std::uint32_t type, std::uint64_t sector, std::uint32_t data_len) {
    std::uint32_t hdr[4] = {type, 0, static_cast<std::uint32_t>(sector), static_cast<std::uint32_t>(sector >> 32)};
    ram.write(kHdr, hdr, sizeof hdr);
    std::uint8_t marker = 0xee;
    ram.write(kStatus, &marker, 1);
    std::vector<TestVirtioDriver::Buffer> chain{{kHdr, 16, false}};
    if (data_len) chain.push_back({kData, data_len, type != VirtioBlock::kTypeOut});
    chain.push_back({kStatus, 1, true});
    std::uint16_t head = drv.post(0, chain);
    drv.notify(0);
    return head;
  }
  std::uint8_t status_byte() {
    std::uint8_t s = 0;
    ram.read(kStatus, &s, 1);
    return s;
  }
  Input completion(std::uint64_t tag, std::uint32_t status, std::vector<std::uint8_t> bytes = {}) {
    Input in;
    in.kind = InputKind::kCompletion;
    in.device = 1;
    in.value = tag;
    in.status = status;
    in.bytes = std::move(bytes);
    return in;
  }

  GuestRam ram{layout::kRamBase, 1 << 20};
  OutputCollector out;
  IrqRecorder irq;
  VirtioBlock blk;
  TestVirtioDriver drv;
};

TEST_F(VirtioBlockTest, ReadCompletesOnlyWhenTheHostAnswers) {
  std::uint16_t head = request(VirtioBlock::kTypeIn, 3, 1024);
  ASSERT_EQ(out.outputs.size(), 1u);
  const Output& o = out.outputs[0];
  EXPECT_EQ(o.kind, OutputKind::kDiskRead);
  EXPECT_EQ(o.device, 1u);
  EXPECT_EQ(o.offset, 3u * 512);
  EXPECT_EQ(o.length, 1024u);
  EXPECT_EQ(drv.used_idx(0), 0u);  // not yet
  EXPECT_EQ(blk.in_flight(), 1u);
  EXPECT_FALSE(irq.level(3));

  std::vector<std::uint8_t> data(1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  blk.apply_input(completion(o.tag, 0, data));
  EXPECT_EQ(drv.used_idx(0), 1u);
  EXPECT_EQ(drv.used_elem(0, 0), std::make_pair(std::uint32_t{head}, 1025u));
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusOk);
  std::vector<std::uint8_t> got(1024);
  ram.read(kData, got.data(), got.size());
  EXPECT_EQ(got, data);
  EXPECT_TRUE(irq.level(3));
  EXPECT_EQ(blk.in_flight(), 0u);
}

TEST_F(VirtioBlockTest, WriteCarriesGuestDataAndFlushFollows) {
  std::vector<std::uint8_t> data(512, 0xab);
  ram.write(kData, data.data(), data.size());
  request(VirtioBlock::kTypeOut, 10, 512);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].kind, OutputKind::kDiskWrite);
  EXPECT_EQ(out.outputs[0].offset, 10u * 512);
  EXPECT_EQ(out.outputs[0].bytes, data);
  blk.apply_input(completion(out.outputs[0].tag, 0));
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusOk);

  request(VirtioBlock::kTypeFlush, 0, 0);
  ASSERT_EQ(out.outputs.size(), 2u);
  EXPECT_EQ(out.outputs[1].kind, OutputKind::kDiskFlush);
  EXPECT_NE(out.outputs[1].tag, out.outputs[0].tag);
  blk.apply_input(completion(out.outputs[1].tag, 0));
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusOk);
  EXPECT_EQ(drv.used_idx(0), 2u);
}

TEST_F(VirtioBlockTest, HostErrorBecomesIoErr) {
  request(VirtioBlock::kTypeIn, 0, 512);
  blk.apply_input(completion(out.outputs[0].tag, 5));
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
}

TEST_F(VirtioBlockTest, OutOfRangeAndUnknownRequestsFailAtOnce) {
  request(VirtioBlock::kTypeIn, kDisk / 512, 512);  // one past the end
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
  request(VirtioBlock::kTypeIn, UINT64_MAX, 512);  // sector * 512 would wrap
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
  request(VirtioBlock::kTypeIn, 0, 100);  // not a whole sector
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
  request(99, 0, 0);
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusUnsupported);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(drv.used_idx(0), 4u);
}

TEST_F(VirtioBlockTest, GetIdAnsweredWithoutTheHost) {
  request(VirtioBlock::kTypeGetId, 0, 20);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusOk);
  char id[21] = {};
  ram.read(kData, id, 20);
  EXPECT_STREQ(id, "ftvm-disk-1");
}

TEST_F(VirtioBlockTest, CompletionsOutOfOrder) {
  std::uint16_t h1 = request(VirtioBlock::kTypeFlush, 0, 0);
  std::uint16_t h2 = request(VirtioBlock::kTypeFlush, 0, 0);
  ASSERT_EQ(out.outputs.size(), 2u);
  blk.apply_input(completion(out.outputs[1].tag, 0));
  blk.apply_input(completion(out.outputs[0].tag, 0));
  EXPECT_EQ(drv.used_elem(0, 0).first, h2);
  EXPECT_EQ(drv.used_elem(0, 1).first, h1);
}

TEST_F(VirtioBlockTest, BadCompletionsGiveClearErrors) {
  request(VirtioBlock::kTypeIn, 0, 512);
  std::uint64_t tag = out.outputs[0].tag;
  EXPECT_THROW(blk.apply_input(completion(tag + 100, 0)), Error);  // never issued
  EXPECT_THROW(blk.apply_input(completion(tag, 0, std::vector<std::uint8_t>(3))), Error);  // wrong size
  EXPECT_EQ(blk.in_flight(), 1u);  // the bad inputs changed nothing
  Input data;
  data.kind = InputKind::kDeviceData;
  EXPECT_THROW(blk.apply_input(data), Error);
}

TEST_F(VirtioBlockTest, ResetDropsInFlightAndLateCompletionIsIgnored) {
  request(VirtioBlock::kTypeIn, 0, 512);
  std::uint64_t tag = out.outputs[0].tag;
  drv.set_reg(VirtioMmio::kStatus, 0);
  EXPECT_EQ(blk.in_flight(), 0u);
  EXPECT_NO_THROW(blk.apply_input(completion(tag, 0, std::vector<std::uint8_t>(512))));
}

TEST_F(VirtioBlockTest, ReissueRepeatsInFlightOutputsAndStateIsHashed) {
  auto hash = [&] {
    StateHasher h;
    blk.hash_state(h);
    return h.digest();
  };
  std::uint64_t idle = hash();
  std::vector<std::uint8_t> data(512, 0x5c);
  ram.write(kData, data.data(), data.size());
  request(VirtioBlock::kTypeOut, 1, 512);
  request(VirtioBlock::kTypeFlush, 0, 0);
  EXPECT_NE(hash(), idle);
  std::vector<Output> first = out.outputs;
  out.outputs.clear();
  blk.reissue_in_flight();
  ASSERT_EQ(out.outputs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out.outputs[i].kind, first[i].kind);
    EXPECT_EQ(out.outputs[i].tag, first[i].tag);
    EXPECT_EQ(out.outputs[i].bytes, first[i].bytes);
  }
}

class ReadOnlyBlockTest : public VirtioBlockTest {
 protected:
  ReadOnlyBlockTest() : VirtioBlockTest(true) {}
};

TEST_F(ReadOnlyBlockTest, AdvertisesReadOnlyAndRejectsWrites) {
  EXPECT_TRUE(drv.device_features() & VirtioBlock::kFeatureReadOnly);
  request(VirtioBlock::kTypeOut, 0, 512);
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(status_byte(), VirtioBlock::kStatusIoErr);
}

}  // namespace
}  // namespace ftvm::machine
