// Loads and stores: widths and extension, misaligned and page-crossing
// accesses (handled, not trapped), MMIO through the bus, access faults.
#include <cstring>

#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using MemoryTest = HartTest;
using cpu::cause::kLoadAccess;
using cpu::cause::kStoreAccess;

constexpr std::uint64_t kData = kRamBase + 0x10000;

TEST_F(MemoryTest, LoadWidthsAndExtension) {
  write64(kData, 0x8182838485868788ull);
  Program p;
  p.li(s0, kData);
  p << lb(a0, s0, 0) << lbu(a1, s0, 0) << lh(a2, s0, 0) << lhu(a3, s0, 0) << lw(a4, s0, 0) << lwu(a5, s0, 0)
    << ld(a6, s0, 0) << lb(a7, s0, 7);
  load(p);
  step(10 + 8);
  EXPECT_EQ(x(a0), 0xffffffffffffff88ull);
  EXPECT_EQ(x(a1), 0x88u);
  EXPECT_EQ(x(a2), 0xffffffffffff8788ull);
  EXPECT_EQ(x(a3), 0x8788u);
  EXPECT_EQ(x(a4), 0xffffffff85868788ull);
  EXPECT_EQ(x(a5), 0x85868788u);
  EXPECT_EQ(x(a6), 0x8182838485868788ull);
  EXPECT_EQ(x(a7), 0xffffffffffffff81ull);
}

TEST_F(MemoryTest, StoreWidths) {
  Program p;
  p.li(s0, kData);
  p.li(a0, 0x1122334455667788ull);
  p << sd(a0, s0, 0) << sb(zero, s0, 0) << sh(zero, s0, 2) << sw(a0, s0, 8);
  load(p);
  step(20 + 4);
  EXPECT_EQ(read64(kData), 0x1122334400007700ull);
  EXPECT_EQ(read64(kData + 8), 0x55667788u);
}

TEST_F(MemoryTest, MisalignedAccessesArePerformed) {
  Program p;
  p.li(s0, kData + 3);
  p.li(a0, 0x0102030405060708ull);
  p << sd(a0, s0, 0) << ld(a1, s0, 0) << lw(a2, s0, 1) << lh(a3, s0, 2);
  load(p);
  step(20 + 4);
  std::uint8_t bytes[8];
  ASSERT_TRUE(ram.read(kData + 3, bytes, 8));
  std::uint64_t stored;
  std::memcpy(&stored, bytes, 8);
  EXPECT_EQ(stored, 0x0102030405060708ull);
  EXPECT_EQ(x(a1), 0x0102030405060708ull);
  EXPECT_EQ(x(a2), 0x04050607u);
  EXPECT_EQ(x(a3), 0x0506u);
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), 0u);  // nothing trapped
}

TEST_F(MemoryTest, AccessesAcrossAPageBoundary) {
  std::uint64_t addr = kData + kPageSize - 3;
  Program p;
  p.li(s0, addr);
  p.li(a0, 0xa1a2a3a4a5a6a7a8ull);
  p << sd(a0, s0, 0) << ld(a1, s0, 0) << lwu(a2, s0, 1);
  load(p);
  step(20 + 3);
  EXPECT_EQ(read64(kData + kPageSize - 8) >> 40, 0xa6a7a8u);
  EXPECT_EQ(read64(kData + kPageSize) & 0xffffffffffull, 0xa1a2a3a4a5u);
  EXPECT_EQ(x(a1), 0xa1a2a3a4a5a6a7a8ull);
  EXPECT_EQ(x(a2), 0xa4a5a6a7u);
}

TEST_F(MemoryTest, MmioLoadReadsTheDevice) {
  device.read_value = 0x1234;
  Program p;
  p.li(s0, kDeviceBase);
  p << lw(a0, s0, 0x10) << addi(a1, zero, 1);
  load(p);
  EXPECT_EQ(step(12), HartStop::kLimit);
  EXPECT_EQ(x(a0), 0x1234u);
  EXPECT_EQ(x(a1), 1u);
}

TEST_F(MemoryTest, MmioStoreReachesTheDeviceAndEndsTheRun) {
  Program p;
  p.li(s0, kDeviceBase);
  p << addi(a0, zero, 0x41) << sb(a0, s0, 4) << addi(a1, zero, 1);
  load(p);
  EXPECT_EQ(hart.run(1000), HartStop::kEvent);
  EXPECT_EQ(hart.instret(), 12u);  // the store retired, the next did not run
  ASSERT_EQ(device.writes.size(), 1u);
  EXPECT_EQ(device.writes[0].offset, 4u);
  EXPECT_EQ(device.writes[0].size, 1u);
  EXPECT_EQ(device.writes[0].value, 0x41u);
  EXPECT_EQ(hart.run(13), HartStop::kLimit);
  EXPECT_EQ(x(a1), 1u);
}

TEST_F(MemoryTest, UnclaimedAddressesRaiseAccessFaults) {
  install_skip_handler();
  Program p;
  p.li(s0, 0x4000'0000);
  p << ld(a0, s0, 8) << sd(a0, s0, 16) << addi(a1, zero, 1);
  load(p);
  step(10);
  std::uint64_t before = hart.instret();
  step(1);  // the load faults (not retired); the handler's first instruction retires
  EXPECT_EQ(hart.instret(), before + 1);
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), kLoadAccess);
  EXPECT_EQ(hart.csr(cpu::csrn::kMtval), 0x4000'0008u);
  EXPECT_EQ(hart.csr(cpu::csrn::kMepc), kRamBase + 40);
  step(4 + 5);  // rest of the handler, then the store faults and the handler runs
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), kStoreAccess);
  EXPECT_EQ(hart.csr(cpu::csrn::kMtval), 0x4000'0010u);
  step(1);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(x(27), 2u);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
