// Machine snapshots, dirty-page tracking and the in-process live clone.
#include "machine/platform/snapshot.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "machine/core/error.h"
#include "machine/devices/virtio_block.h"
#include "machine/devices/virtio_net.h"
#include "machine/platform/live_clone.h"
#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"
#include "rv_asm.h"
#include "virtio_driver.h"

namespace ftvm::machine {
namespace {

using namespace rv;

// Registers and instructions rv_asm.h does not have.
constexpr std::uint32_t a2 = 12, a3 = 13, a4 = 14;
std::uint32_t add(std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
  return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33;
}
std::uint32_t bne(std::uint32_t rs1, std::uint32_t rs2, std::int32_t offset) {
  return beq(rs1, rs2, offset) | (1u << 12);
}
constexpr std::uint32_t kSatp = 0x180, kMstatus = 0x300;

constexpr std::uint64_t kRam = layout::kRamBase;
std::uint64_t page_of(std::uint64_t gpa) { return (gpa - kRam) >> kPageShift; }

MachineConfig config_for(std::vector<std::uint32_t> words, std::uint64_t ram = 8ull << 20) {
  MachineConfig c;
  c.ram_size = ram;
  c.firmware = program(words);
  return c;
}

// Writes a rising counter to offset 0 of `pages` consecutive pages starting
// at RAM + 1 MiB, round and round.
constexpr std::uint64_t kWriterRegion = kRam + 0x10'0000;
std::vector<std::uint32_t> page_writer_program(std::int32_t pages) {
  return {
      auipc(t0, 0x100),      // t0 = region (the program runs at RAM base)
      lui(a1, 1),            // a1 = page size
      addi(t2, t0, 0),       // outer: cursor = region
      addi(t1, zero, pages),
      addi(a0, a0, 1),       // inner
      sd(a0, t2, 0),
      add(t2, t2, a1),
      addi(t1, t1, -1),
      bne(t1, zero, -16),
      jal(zero, -28),
  };
}

std::vector<std::uint64_t> writer_pages(std::uint64_t pages) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < pages; ++i) v.push_back(page_of(kWriterRegion) + i);
  return v;
}

void copy_all_pages(const Machine& from, Machine& to) {
  std::vector<std::uint8_t> page(kPageSize);
  for (std::uint64_t i = 0; i < from.page_count(); ++i) {
    from.read_page(i, page);
    to.write_page(i, page);
  }
}

// ---- Sv39 through MPRV: M-mode loads and stores translated as S-mode ----

// Page tables and data pages (RAM-relative page numbers), set up by the test.
struct Sv39Layout {
  std::uint64_t root = kRam + 0x10000, l1 = kRam + 0x11000, l0 = kRam + 0x12000;
  std::uint64_t d1 = kRam + 0x13000, d2 = kRam + 0x14000, d3 = kRam + 0x15000;
  static constexpr std::uint64_t kVa1 = 0x1000, kVa2 = 0x2000;
};
constexpr std::uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteA = 64, kPteD = 128;

std::uint64_t pte(std::uint64_t pa, std::uint64_t flags) { return ((pa >> 12) << 10) | flags; }

// Turns on Sv39 with MPRV (MPP = S), loads from VA1 once, then stores a
// rising counter to VA2 forever.
std::vector<std::uint32_t> paging_program() {
  return {
      csrrw(zero, kSatp, a1), csrrs(zero, kMstatus, a2), ld(t1, a3, 0),
      addi(t1, t1, 1), sd(t1, a4, 0), jal(zero, -8),
  };
}

// VA1 -> d1; VA2 -> `va2_target`. No A or D bits: the walker sets them.
void set_up_paging(Machine& m, const Sv39Layout& l, std::uint64_t va2_target) {
  GuestRam& ram = m.impl().ram();
  std::uint64_t root = pte(l.l1, kPteV), mid = pte(l.l0, kPteV);
  std::uint64_t leaf1 = pte(l.d1, kPteV | kPteR | kPteW), leaf2 = pte(va2_target, kPteV | kPteR | kPteW);
  ASSERT_TRUE(ram.write(l.root, &root, 8));
  ASSERT_TRUE(ram.write(l.l1, &mid, 8));
  ASSERT_TRUE(ram.write(l.l0 + 8 * 1, &leaf1, 8));
  ASSERT_TRUE(ram.write(l.l0 + 8 * 2, &leaf2, 8));
  std::uint64_t marker = 0x1234'0000;
  ASSERT_TRUE(ram.write(l.d1, &marker, 8));
  Hart& hart = m.impl().hart();
  hart.set_xreg(a1, (8ull << 60) | (l.root >> 12));
  hart.set_xreg(a2, (1ull << 17) | (1ull << 11));  // MPRV, MPP = S
  hart.set_xreg(a3, Sv39Layout::kVa1);
  hart.set_xreg(a4, Sv39Layout::kVa2);
}

// ---- a virtio-blk driver played through the bus ----

struct BlockRequestLayout {
  std::uint64_t desc = kRam + 0x40000, avail = kRam + 0x41000, used = kRam + 0x42000;
  std::uint64_t header = kRam + 0x50000, data = kRam + 0x51000, status = kRam + 0x52000;
};

// Brings virtio slot `index` (a block device) up and submits a one-sector
// read of sector 3; returns the disk-read Output.
Output submit_block_read(Machine& m, std::size_t index, const BlockRequestLayout& l) {
  GuestRam& ram = m.impl().ram();
  test::bring_up_queue(m, index, l.desc, l.avail, l.used);
  struct Desc {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t flags, next;
  };
  Desc d[3] = {{l.header, 16, 1, 1}, {l.data, 512, 3, 2}, {l.status, 1, 2, 0}};
  EXPECT_TRUE(ram.write(l.desc, d, sizeof d));
  std::uint32_t header[4] = {VirtioBlock::kTypeIn, 0, 3, 0};
  EXPECT_TRUE(ram.write(l.header, header, sizeof header));
  std::uint16_t avail[3] = {0, 1, 0};
  EXPECT_TRUE(ram.write(l.avail, avail, sizeof avail));
  test::notify_queue(m, index);
  std::vector<Output> outs = m.take_outputs();
  EXPECT_EQ(outs.size(), 1u);
  return outs.empty() ? Output{} : outs[0];
}

Input read_completion(std::size_t index, const Output& request, std::uint8_t fill) {
  return {InputKind::kCompletion, virtio_slot(index), request.tag, 0, std::vector<std::uint8_t>(request.length, fill)};
}

// Re-seals a blob whose payload a test changed on purpose.
void reseal(std::vector<std::uint8_t>& blob) {
  std::uint64_t sum = XXH3_64bits(blob.data(), blob.size() - 8);
  for (unsigned i = 0; i < 8; ++i) blob[blob.size() - 8 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
}

// ================================ save / restore ================================

MachineConfig device_rich_config() {
  MachineConfig c = config_for(page_writer_program(16));
  c.virtio.push_back({VirtioKind::kBlock, 1 << 20, false, {}});
  c.virtio.push_back({VirtioKind::kNet, 0, false, {0x52, 0x54, 0, 1, 2, 3}});
  c.virtio.push_back({VirtioKind::kRng, 0, false, {}});
  return c;
}

TEST(Snapshot, RoundTripReproducesTheWholeMachine) {
  MachineConfig c = device_rich_config();
  Machine a(c);
  ASSERT_EQ(a.run_until(5000), StopReason::kLimit);
  a.apply({InputKind::kTime, 0, 777, 0, {}});
  a.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {'x', 'y', 'z'}});
  a.apply({InputKind::kDeviceData, virtio_slot(1), 0, 0, std::vector<std::uint8_t>(60, 0xee)});
  BlockRequestLayout blk;
  Output request = submit_block_read(a, 0, blk);
  ASSERT_EQ(request.kind, OutputKind::kDiskRead);
  ASSERT_EQ(a.run_until(9000), StopReason::kLimit);

  // The target has been somewhere else entirely before it is overwritten.
  Machine b(c);
  b.apply({InputKind::kTime, 0, 99999, 0, {}});
  ASSERT_EQ(b.run_until(1234), StopReason::kLimit);
  ASSERT_NE(a.state_hash(), b.state_hash());

  std::vector<std::uint8_t> blob = a.save_state();
  copy_all_pages(a, b);
  b.restore_state(blob);
  EXPECT_EQ(b.instret(), a.instret());
  EXPECT_EQ(b.mtime(), a.mtime());
  EXPECT_EQ(b.state_hash(), a.state_hash());
  EXPECT_EQ(b.impl().uart().rx_queued(), 3u);
  EXPECT_EQ(static_cast<VirtioNet&>(b.impl().virtio(1)).rx_backlog(), 1u);
  EXPECT_EQ(static_cast<VirtioBlock&>(b.impl().virtio(0)).in_flight(), 1u);
  // Saving the restored machine gives the same bytes.
  EXPECT_EQ(b.save_state(), blob);

  // The request in flight on the source finishes on the target.
  for (Machine* m : {&a, &b}) {
    m->apply(read_completion(0, request, 0x5a));
    EXPECT_EQ(m->run_until(20000), StopReason::kLimit);
  }
  EXPECT_EQ(b.state_hash(), a.state_hash());
  std::uint8_t status = 0xff;
  ASSERT_TRUE(b.impl().ram().read(blk.status, &status, 1));
  EXPECT_EQ(status, VirtioBlock::kStatusOk);
}

// Arms mtimecmp = 100, enables the machine timer interrupt and waits in WFI;
// the handler powers off.
std::vector<std::uint32_t> wfi_timer_program() {
  return {
      lui(t0, 0x2004),  // mtimecmp
      addi(t1, zero, 100), sd(t1, t0, 0),
      auipc(t2, 0), addi(t2, t2, 36),  // handler at +48
      csrrw(zero, 0x305, t2),          // mtvec
      addi(t1, zero, 0x80), csrrs(zero, 0x304, t1),  // mie.MTIE
      addi(t1, zero, 8), csrrs(zero, 0x300, t1),     // mstatus.MIE
      wfi(), jal(zero, -4),
      lui(t0, 0x100), lui(t1, 0x5), addi(t1, t1, 0x555), sw(t1, t0, 0), jal(zero, 0),
  };
}

TEST(Snapshot, AHartWaitingInWfiWakesAtTheSameCountOnTheTarget) {
  MachineConfig c = config_for(wfi_timer_program());
  Machine a(c);
  ASSERT_EQ(a.run_until(1'000'000), StopReason::kIdle);
  ASSERT_TRUE(a.impl().hart().waiting_for_interrupt());
  // The target already took its timer interrupt and powered off.
  Machine b(c);
  b.apply({InputKind::kTime, 0, 100, 0, {}});
  ASSERT_EQ(b.run_until(1'000'000), StopReason::kPowerOff);  // its power-off Output stays pending
  copy_all_pages(a, b);
  b.restore_state(a.save_state());
  EXPECT_TRUE(b.take_outputs().empty());
  EXPECT_TRUE(b.impl().hart().waiting_for_interrupt());
  EXPECT_EQ(b.run_until(1'000'000), StopReason::kIdle);  // still waiting, like the source
  EXPECT_EQ(b.state_hash(), a.state_hash());
  for (Machine* m : {&a, &b}) {
    m->apply({InputKind::kTime, 0, 100, 0, {}});
    StopReason why = m->run_until(1'000'000);
    if (why == StopReason::kOutput) why = m->run_until(1'000'000);
    EXPECT_EQ(why, StopReason::kPowerOff);
    m->take_outputs();
  }
  EXPECT_EQ(b.instret(), a.instret());
  EXPECT_EQ(b.state_hash(), a.state_hash());
}

TEST(Snapshot, ReissueOnTheTargetRepeatsTheSourcesRequests) {
  MachineConfig c = device_rich_config();
  Machine a(c), b(c);
  Output request = submit_block_read(a, 0, BlockRequestLayout{});
  copy_all_pages(a, b);
  b.restore_state(a.save_state());
  b.reissue_in_flight();
  std::vector<Output> again = b.take_outputs();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].kind, OutputKind::kDiskRead);
  EXPECT_EQ(again[0].tag, request.tag);
  EXPECT_EQ(again[0].offset, 3 * VirtioBlock::kSectorSize);
  EXPECT_EQ(again[0].length, request.length);
}

TEST(Snapshot, RestoreDropsTranslationsTheTargetHadCached) {
  // Same program, but VA2 maps to another page on each machine. The target
  // has VA2 cached in its TLB; after the restore it must use the source's tables.
  Sv39Layout l;
  Machine a(config_for(paging_program()));
  Machine b(config_for(paging_program()));
  set_up_paging(a, l, l.d3);
  set_up_paging(b, l, l.d2);
  ASSERT_EQ(a.run_until(1000), StopReason::kLimit);
  ASSERT_EQ(b.run_until(1000), StopReason::kLimit);
  copy_all_pages(a, b);
  b.restore_state(a.save_state());
  ASSERT_EQ(a.run_until(2000), StopReason::kLimit);
  ASSERT_EQ(b.run_until(2000), StopReason::kLimit);
  EXPECT_EQ(b.state_hash(), a.state_hash());
  std::uint64_t counter = 0;
  ASSERT_TRUE(b.impl().ram().read(l.d3, &counter, 8));
  EXPECT_GT(counter, 0x1234'0000u);
}

TEST(Snapshot, AnotherConfigurationIsAClearError) {
  Machine a(device_rich_config());
  std::vector<std::uint8_t> blob = a.save_state();
  auto expect_rejected = [&blob](const MachineConfig& c, const std::string& needle) {
    Machine b(c);
    std::uint64_t before = b.state_hash();
    try {
      b.restore_state(blob);
      ADD_FAILURE() << "restore into another config succeeded";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_EQ(b.state_hash(), before);
  };
  MachineConfig c = device_rich_config();
  c.ram_size = 16ull << 20;
  expect_rejected(c, "RAM");
  c = device_rich_config();
  c.virtio.pop_back();
  expect_rejected(c, "virtio");
  c = device_rich_config();
  c.virtio[0].capacity_bytes = 2 << 20;
  expect_rejected(c, "virtio device 0");
  c = device_rich_config();
  c.instret_per_tick = 50;
  expect_rejected(c, "clock");
  // The images are not part of what must match: RAM carries what they loaded.
  c = device_rich_config();
  c.firmware = program({jal(zero, 0)});
  Machine other_images(c);
  EXPECT_NO_THROW(other_images.restore_state(blob));
}

TEST(Snapshot, CorruptOrTruncatedBlobsAreClearErrorsThatChangeNothing) {
  Machine a(config_for(page_writer_program(4)));
  ASSERT_EQ(a.run_until(500), StopReason::kLimit);
  const std::vector<std::uint8_t> good = a.save_state();
  Machine b(config_for(page_writer_program(4)));
  ASSERT_EQ(b.run_until(100), StopReason::kLimit);
  const std::uint64_t before = b.state_hash();
  auto expect_rejected = [&](std::vector<std::uint8_t> blob, const std::string& needle) {
    try {
      b.restore_state(blob);
      ADD_FAILURE() << "bad blob accepted (" << needle << ")";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_EQ(b.state_hash(), before);
    EXPECT_EQ(b.instret(), 100u);
  };
  expect_rejected({}, "truncated");
  expect_rejected({good.begin(), good.begin() + 20}, "truncated");
  expect_rejected({good.begin(), good.end() - 1}, "truncated");
  expect_rejected({good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)}, "truncated");
  std::vector<std::uint8_t> flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  expect_rejected(flipped, "checksum");
  std::vector<std::uint8_t> magic = good;
  magic[0] = 'X';
  expect_rejected(magic, "not a machine snapshot");
  std::vector<std::uint8_t> version = good;
  version[8] = 99;
  reseal(version);
  expect_rejected(version, "version 99");
  // A forged checksum over impossible contents: privilege level 2 (the
  // hart's privilege byte follows the header, CONF and x/f/pc of HART).
  std::vector<std::uint8_t> forged = good;
  const std::size_t priv_at = kSnapshotHeaderBytes + (4 + 4 * 8) + 4 + 64 * 8 + 8;
  ASSERT_EQ(forged[priv_at], 3u);  // the source runs in M-mode
  forged[priv_at] = 2;
  reseal(forged);
  expect_rejected(forged, "privilege");
  // Trailing garbage inside the payload.
  std::vector<std::uint8_t> longer = good;
  longer.insert(longer.end() - 8, {0, 0, 0, 0});
  std::uint64_t payload = 0;
  for (unsigned i = 0; i < 8; ++i) payload |= std::uint64_t{longer[24 + i]} << (8 * i);
  payload += 4;
  for (unsigned i = 0; i < 8; ++i) longer[24 + i] = static_cast<std::uint8_t>(payload >> (8 * i));
  reseal(longer);
  expect_rejected(longer, "after the end");
  // And the good blob still works afterwards.
  EXPECT_NO_THROW(b.restore_state(good));
  EXPECT_EQ(b.instret(), 500u);
}

// Every byte of a device-rich blob changed in turn, with a valid checksum:
// each restore either works or is a clear Error that leaves the machine as
// it was. Nothing crashes, and nothing reads outside what the blob holds.
TEST(Snapshot, EveryResealedSingleByteChangeIsHandled) {
  MachineConfig c = device_rich_config();
  Machine a(c);
  ASSERT_EQ(a.run_until(3000), StopReason::kLimit);
  a.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {'q'}});
  a.apply({InputKind::kDeviceData, virtio_slot(1), 0, 0, std::vector<std::uint8_t>(20, 1)});
  submit_block_read(a, 0, BlockRequestLayout{});
  const std::vector<std::uint8_t> good = a.save_state();
  Machine b(c);
  copy_all_pages(a, b);
  b.restore_state(good);
  std::size_t rejected = 0;
  for (std::size_t i = kSnapshotHeaderBytes; i + kSnapshotTrailerBytes < good.size(); ++i) {
    for (std::uint8_t delta : {0x01, 0x80}) {
      std::vector<std::uint8_t> blob = good;
      blob[i] ^= delta;
      reseal(blob);
      try {
        b.restore_state(blob);
      } catch (const Error&) {
        ++rejected;
        ASSERT_EQ(b.save_state(), good) << "a failed restore changed the machine (byte " << i << ")";
        continue;
      }
      b.restore_state(good);
    }
  }
  // Section tags, lengths, counts and config fields are all checked.
  EXPECT_GT(rejected, 100u);
  EXPECT_EQ(b.state_hash(), a.state_hash());
}

TEST(Snapshot, PagesAreBoundsChecked) {
  Machine m(config_for({jal(zero, 0)}));
  std::vector<std::uint8_t> page(kPageSize, 0xab), small(100);
  EXPECT_EQ(m.page_count(), (8ull << 20) / kPageSize);
  EXPECT_THROW(m.read_page(m.page_count(), page), Error);
  EXPECT_THROW(m.write_page(~0ull, page), Error);
  EXPECT_THROW(m.read_page(0, small), Error);
  EXPECT_THROW(m.write_page(0, small), Error);
  m.write_page(7, page);
  std::vector<std::uint8_t> back(kPageSize);
  m.read_page(7, back);
  EXPECT_EQ(back, page);
  std::uint8_t byte = 0;
  ASSERT_TRUE(m.impl().ram().read(kRam + 7 * kPageSize + 123, &byte, 1));
  EXPECT_EQ(byte, 0xab);
}

// ================================ dirty tracking ================================

TEST(DirtyTracking, CatchesStoresThatWouldTakeTheFastPath) {
  Machine m(config_for(page_writer_program(16)));
  // Warm up: every page written many times, so the store TLB holds them all.
  ASSERT_EQ(m.run_until(20000), StopReason::kLimit);
  EXPECT_TRUE(m.take_dirty_pages().empty());  // tracking is off by default
  m.start_dirty_tracking();
  EXPECT_TRUE(m.dirty_tracking());
  EXPECT_TRUE(m.take_dirty_pages().empty());
  ASSERT_EQ(m.run_until(23000), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(16));
  EXPECT_TRUE(m.take_dirty_pages().empty());  // taking clears
  // Stores keep being seen in later rounds (no writable TLB entry came back).
  ASSERT_EQ(m.run_until(26000), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(16));
  m.stop_dirty_tracking();
  ASSERT_EQ(m.run_until(29000), StopReason::kLimit);
  EXPECT_TRUE(m.take_dirty_pages().empty());
  // Tracking again after the fast path was warm again.
  m.start_dirty_tracking();
  ASSERT_EQ(m.run_until(32000), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(16));
}

// Stores of every kind, each to its own page: integer (sd), atomic
// (amoadd.d) and floating-point (fsd), in a loop.
std::vector<std::uint32_t> store_kinds_program() {
  auto amoadd_d = [](std::uint32_t rd, std::uint32_t rs2, std::uint32_t rs1) {
    return (rs2 << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x2f;
  };
  auto fsd = [](std::uint32_t frs2, std::uint32_t rs1, std::int32_t imm) {
    return s_type(3, rs1, frs2, imm) ^ 0x23 ^ 0x27;  // STORE-FP opcode
  };
  return {
      lui(t1, 2), csrrs(zero, kMstatus, t1),  // mstatus.FS = initial: FP on
      auipc(t0, 0x100),                       // page A = region
      lui(a1, 1), add(t2, t0, a1),            // page B
      add(a2, t2, a1),                        // page C
      addi(a0, a0, 1),                        // loop
      sd(a0, t0, 0), amoadd_d(zero, a0, t2), fsd(0, a2, 0),
      jal(zero, -16),
  };
}

TEST(DirtyTracking, CatchesIntegerAtomicAndFloatingPointStores) {
  Machine m(config_for(store_kinds_program()));
  ASSERT_EQ(m.run_until(300), StopReason::kLimit);
  m.start_dirty_tracking();
  ASSERT_EQ(m.run_until(600), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(3));
  ASSERT_EQ(m.run_until(900), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(3));
}

TEST(DirtyTracking, OnlyWrittenPagesAreDirty) {
  Machine m(config_for(page_writer_program(3)));
  m.start_dirty_tracking();
  // Loop body: 5 instructions per page; the first store is instruction 6.
  ASSERT_EQ(m.run_until(5), StopReason::kLimit);
  EXPECT_TRUE(m.take_dirty_pages().empty());
  ASSERT_EQ(m.run_until(6), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), writer_pages(1));
}

TEST(DirtyTracking, CatchesAccessedAndDirtyBitsTheWalkerSets) {
  Sv39Layout l;
  Machine m(config_for(paging_program()));
  set_up_paging(m, l, l.d2);
  m.start_dirty_tracking();
  ASSERT_EQ(m.run_until(100), StopReason::kLimit);
  // The leaf table (A on VA1's PTE, A and D on VA2's) and the stored-to page;
  // not the page only loaded from, not the upper tables.
  std::vector<std::uint64_t> expected = {page_of(l.l0), page_of(l.d2)};
  EXPECT_EQ(m.take_dirty_pages(), expected);
  std::uint64_t leaf1 = 0, leaf2 = 0;
  ASSERT_TRUE(m.impl().ram().read(l.l0 + 8, &leaf1, 8));
  ASSERT_TRUE(m.impl().ram().read(l.l0 + 16, &leaf2, 8));
  EXPECT_EQ(leaf1 & (kPteA | kPteD), kPteA);
  EXPECT_EQ(leaf2 & (kPteA | kPteD), kPteA | kPteD);
  // Once A and D are set, only the data page keeps changing.
  ASSERT_EQ(m.run_until(200), StopReason::kLimit);
  EXPECT_EQ(m.take_dirty_pages(), std::vector<std::uint64_t>{page_of(l.d2)});
}

TEST(DirtyTracking, CatchesDeviceDma) {
  MachineConfig c = config_for({jal(zero, 0)});
  c.virtio.push_back({VirtioKind::kBlock, 1 << 20, false, {}});
  Machine m(c);
  BlockRequestLayout l;
  Output request = submit_block_read(m, 0, l);
  m.start_dirty_tracking();
  m.apply(read_completion(0, request, 0x77));
  // The data buffer, the status byte and the used ring; the driver-owned
  // descriptor table, avail ring and header stay clean.
  std::vector<std::uint64_t> expected = {page_of(l.used), page_of(l.data), page_of(l.status)};
  EXPECT_EQ(m.take_dirty_pages(), expected);
  std::uint8_t byte = 0;
  ASSERT_TRUE(m.impl().ram().read(l.data + 511, &byte, 1));
  EXPECT_EQ(byte, 0x77);
}

// ================================ live clone ================================

std::vector<std::uint8_t> baremetal_program(const std::string& name) {
  const char* build = std::getenv("FTVM_BUILD_DIR");
  std::filesystem::path p = std::filesystem::path(build ? build : "build") / "tests/baremetal" / (name + ".elf");
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scripted host whose inputs depend only on the machine's count, so two
// machines at the same count get the same inputs from two drivers.
struct ScriptedHost {
  std::string console;
  StopReason last = StopReason::kLimit;

  void slice(Machine& m) {
    Instret now = m.instret();
    std::uint64_t step = now / 20'000;
    m.apply({InputKind::kTime, 0, m.mtime() + 100 + (step * 37) % 250, 0, {}});
    if (step % 5 == 3) m.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {static_cast<std::uint8_t>('a' + step % 26)}});
    do {
      last = m.run_until(now + 20'000 + (step * 7919) % 3000);
      for (auto& o : m.take_outputs())
        if (o.kind == OutputKind::kConsole) console.append(o.bytes.begin(), o.bytes.end());
    } while (last == StopReason::kOutput);
  }
};

TEST(LiveClone, RunningProgramConvergesAndStaysInLockstep) {
  MachineConfig c;
  c.ram_size = 16ull << 20;
  c.firmware = baremetal_program("inputs");
  if (c.firmware.empty()) GTEST_SKIP() << "tests/baremetal/inputs.elf not built";
  Machine a(c);
  ScriptedHost host_a;
  for (int i = 0; i < 20; ++i) host_a.slice(a);
  ASSERT_EQ(host_a.last, StopReason::kLimit);

  Machine b(c);
  CloneOptions options;
  options.final_round_pages = 4;
  options.max_rounds = 6;
  CloneReport report = clone_machine(a, b, [&host_a](Machine& m) { host_a.slice(m); }, options);
  EXPECT_FALSE(a.dirty_tracking());
  EXPECT_EQ(report.instret, a.instret());
  EXPECT_EQ(b.instret(), a.instret());
  EXPECT_EQ(b.state_hash(), a.state_hash());
  EXPECT_GE(report.pages_sent, a.page_count());
  // The loop touches a handful of pages per slice: pre-copy converges.
  EXPECT_LE(report.final_pages, options.final_round_pages);
  EXPECT_GT(report.state_bytes, 0u);

  // Both continue with the same inputs: same state at every checkpoint, same ending.
  ScriptedHost host_b;
  std::size_t console_at_clone = host_a.console.size();
  for (int i = 0; i < 400 && host_a.last != StopReason::kPowerOff; ++i) {
    host_a.slice(a);
    host_b.slice(b);
    ASSERT_EQ(host_a.last, host_b.last) << "slice " << i;
    ASSERT_EQ(a.instret(), b.instret()) << "slice " << i;
    // Hashing all of RAM is the slow part; every 8th slice is plenty.
    if (i % 8 == 0) {
      ASSERT_EQ(a.state_hash(), b.state_hash()) << "slice " << i;
    }
  }
  EXPECT_EQ(a.state_hash(), b.state_hash());
  ASSERT_EQ(host_a.last, StopReason::kPowerOff);
  EXPECT_EQ(a.exit_code(), 0);
  EXPECT_EQ(b.exit_code(), 0);
  EXPECT_EQ(host_b.console, host_a.console.substr(console_at_clone));
  EXPECT_NE(host_b.console.find("ticks"), std::string::npos);
}

TEST(LiveClone, ABusyWriterHitsTheRoundLimitAndStillClonesExactly) {
  // Every slice rewrites all 64 pages: the dirty set never shrinks.
  MachineConfig c = config_for(page_writer_program(64));
  Machine a(c), b(c);
  CloneOptions options;
  options.final_round_pages = 8;
  options.max_rounds = 3;
  auto slice = [](Machine& m) { m.run_until(m.instret() + 5000); };
  CloneReport report = clone_machine(a, b, slice, options);
  EXPECT_EQ(report.rounds, 3u);
  EXPECT_EQ(report.final_pages, 64u);
  EXPECT_EQ(report.pages_sent, a.page_count() + 4 * 64);
  EXPECT_EQ(b.state_hash(), a.state_hash());
  slice(a);
  slice(b);
  EXPECT_EQ(b.state_hash(), a.state_hash());
}

TEST(LiveClone, MismatchedTargetIsAClearError) {
  Machine a(config_for(page_writer_program(4)));
  Machine b(config_for(page_writer_program(4), 16ull << 20));
  EXPECT_THROW(clone_machine(a, b, [](Machine& m) { m.run_until(m.instret() + 100); }), Error);
}

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A host for a booting Linux whose every action is a function of the
// machine's count and outputs: time that moves a little faster than the
// guest's own clock (and jumps to the timer when the guest idles), and
// entropy requests answered with bytes derived from their tag.
struct LinuxHost {
  std::string console;

  void slice(Machine& m) {
    Instret now = m.instret();
    m.apply({InputKind::kTime, 0, m.mtime() + 500, 0, {}});
    StopReason why;
    do {
      why = m.run_until(now + 2'000'000);
      serve(m);
    } while (why == StopReason::kOutput);
    if (why == StopReason::kIdle && m.next_timer_deadline() != UINT64_MAX)
      m.apply({InputKind::kTime, 0, m.next_timer_deadline(), 0, {}});
  }

  void serve(Machine& m) {
    for (Output& o : m.take_outputs()) {
      if (o.kind == OutputKind::kConsole) console.append(o.bytes.begin(), o.bytes.end());
      if (o.kind == OutputKind::kEntropyRequest)
        m.apply({InputKind::kCompletion, o.device, o.tag, 0,
                 std::vector<std::uint8_t>(o.length, static_cast<std::uint8_t>(o.tag * 13))});
    }
  }
};

TEST(LiveClone, LinuxInTheMiddleOfItsBoot) {
  MachineConfig c;
  c.ram_size = 256ull << 20;
  c.firmware = file_bytes("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin");
  c.kernel = file_bytes("/tmp/gout/Image");
  c.initrd = file_bytes("/tmp/gout/initramfs.cpio.gz");
  if (c.firmware.empty() || c.kernel.empty() || c.initrd.empty()) GTEST_SKIP() << "no OpenSBI or guest kernel";
  c.cmdline = "console=ttyS0 earlycon=sbi";
  c.virtio.push_back({VirtioKind::kRng, 0, false, {}});
  Machine a(c);
  LinuxHost host_a;
  while (a.instret() < 120'000'000) host_a.slice(a);
  // Well into the kernel: paging is on, and the clone must carry it.
  ASSERT_NE(a.impl().hart().csr(0x180), 0u);
  Machine b(c);
  CloneOptions options;
  options.final_round_pages = 256;
  CloneReport report = clone_machine(a, b, [&host_a](Machine& m) { host_a.slice(m); }, options);
  ASSERT_EQ(b.state_hash(), a.state_hash());
  LinuxHost host_b;
  std::size_t console_at_clone = host_a.console.size();
  for (int i = 0; i < 15; ++i) {
    host_a.slice(a);
    host_b.slice(b);
    ASSERT_EQ(a.instret(), b.instret()) << "slice " << i;
  }
  EXPECT_EQ(a.state_hash(), b.state_hash());
  EXPECT_EQ(host_b.console, host_a.console.substr(console_at_clone));
  std::printf("clone at %llu: %u rounds, %llu pages, %llu final, %llu state bytes; console %zu bytes\n",
              static_cast<unsigned long long>(report.instret), report.rounds,
              static_cast<unsigned long long>(report.pages_sent), static_cast<unsigned long long>(report.final_pages),
              static_cast<unsigned long long>(report.state_bytes), host_a.console.size());
}

}  // namespace
}  // namespace ftvm::machine
