// Sv39/Sv48 translation: leaf and superpage walks, A/D updates, permission
// faults (U, SUM, MXR, MPRV), bad PTEs, and TLB flushing on sfence.vma.
#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

namespace cause = cpu::cause;
namespace csrn = cpu::csrn;
namespace ms = cpu::mstatus;

constexpr std::uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kA = 64, kD = 128;
constexpr std::uint64_t kTables = kRamBase + 0x100000;

class MmuTest : public HartTest {
 protected:
  // Builds page tables in RAM; `levels` = 3 (Sv39) or 4 (Sv48).
  std::uint64_t new_table() {
    std::uint64_t t = kTables + next_table_++ * kPageSize;
    for (std::uint64_t i = 0; i < kPageSize; i += 8) write64(t + i, 0);
    return t;
  }
  // Maps va -> pa with a leaf at `leaf_level` (0 = 4 KiB, 1 = 2 MiB, ...).
  // Returns the address of the leaf PTE.
  std::uint64_t map(std::uint64_t va, std::uint64_t pa, std::uint64_t flags, int leaf_level = 0) {
    std::uint64_t table = root_;
    for (int level = levels_ - 1; level > leaf_level; --level) {
      std::uint64_t slot = table + ((va >> (12 + 9 * level)) & 511) * 8;
      std::uint64_t e = read64(slot);
      if (!(e & kV)) {
        std::uint64_t t = new_table();
        e = ((t >> 12) << 10) | kV;
        write64(slot, e);
      }
      table = ((e >> 10) << 12);
    }
    std::uint64_t slot = table + ((va >> (12 + 9 * leaf_level)) & 511) * 8;
    write64(slot, ((pa >> 12) << 10) | flags | kV);
    return slot;
  }
  void enable(int levels) {
    levels_ = levels;
    root_ = new_table();
    install_skip_handler();
    // The M handler and scratch pages run bare in M; code for S/U at kCodeVa.
    set_csr(csrn::kSatp, ((levels == 3 ? 8ull : 9ull) << 60) | (root_ >> 12));
  }
  std::uint64_t mcause() { return hart.csr(csrn::kMcause); }
  std::uint64_t mtval() { return hart.csr(csrn::kMtval); }

  static constexpr std::uint64_t kCodeVa = 0x4000'0000;
  static constexpr std::uint64_t kCodePa = kRamBase + 0x20000;
  int levels_ = 3;
  std::uint64_t root_ = 0;
  std::uint64_t next_table_ = 0;
};

TEST_F(MmuTest, Sv39LeafTranslationSetsAccessedAndDirty) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX);
  std::uint64_t data_pte = map(0x5000'0000, kRamBase + 0x30000, kR | kW);
  Program p;
  p.li(s0, 0x5000'0008);
  p << ld(a0, s0, 0) << sd(a0, s0, 8);
  load(p, kCodePa);
  write64(kRamBase + 0x30008, 0x1234);
  drop_to(cpu::kPrivS, kCodeVa);
  step(10 + 1);
  EXPECT_EQ(x(a0), 0x1234u);
  EXPECT_EQ(read64(data_pte) & (kA | kD), kA);
  step(1);
  EXPECT_EQ(read64(data_pte) & (kA | kD), kA | kD);
  EXPECT_EQ(read64(kRamBase + 0x30010), 0x1234u);
  EXPECT_EQ(x(27), 0u);
}

TEST_F(MmuTest, Sv48GigaAndMegaPages) {
  enable(4);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x80'0000'0000, kRamBase, kR | kW | kA | kD, 2);  // 1 GiB page over RAM
  map(0x7000'0000, kRamBase + 0x200000, kR | kA, 1);    // 2 MiB page
  write64(kRamBase + 0x40000, 77);
  write64(kRamBase + 0x200000 + 0x1238, 88);
  Program p;
  p.li(s0, 0x80'0004'0000);
  p.li(s1, 0x7000'1238);
  p << ld(a0, s0, 0) << ld(a1, s1, 0);
  load(p, kCodePa);
  drop_to(cpu::kPrivS, kCodeVa);
  step(22);
  EXPECT_EQ(x(a0), 77u);
  EXPECT_EQ(x(a1), 88u);
}

TEST_F(MmuTest, MisalignedSuperpageFaults) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x7000'0000, kRamBase + 0x1000, kR | kA, 1);  // PPN not 2 MiB aligned
  Program p;
  p.li(s0, 0x7000'0000);
  p << ld(a0, s0, 0);
  load(p, kCodePa);
  drop_to(cpu::kPrivS, kCodeVa);
  step(11);
  EXPECT_EQ(mcause(), cause::kLoadPage);
  EXPECT_EQ(mtval(), 0x7000'0000u);
}

TEST_F(MmuTest, PermissionFaults) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA | kU);  // user code
  map(0x5000'0000, kRamBase + 0x30000, kR | kA | kU);  // read-only user data
  map(0x5000'1000, kRamBase + 0x31000, kR | kW | kA | kD);  // supervisor data
  map(0x5000'2000, kRamBase + 0x32000, kX | kA | kU);  // execute-only user
  Program p;
  p.li(s0, 0x5000'0000);
  p << lui(s1, 0x5000'1000) << lui(t2, 0x5000'2000);
  p << sd(a0, s0, 0)        // store to read-only: store page fault
    << ld(a1, s1, 0)        // U reading an S page: load page fault
    << ld(a2, t2, 0)        // execute-only without MXR: load page fault
    << ld(a3, s0, 0);       // fine
  load(p, kCodePa);
  drop_to(cpu::kPrivU, kCodeVa);
  step(12 + 1);
  EXPECT_EQ(mcause(), cause::kStorePage);
  EXPECT_EQ(mtval(), 0x5000'0000u);
  step(4 + 1);
  EXPECT_EQ(mcause(), cause::kLoadPage);
  EXPECT_EQ(mtval(), 0x5000'1000u);
  step(4 + 1);
  EXPECT_EQ(mtval(), 0x5000'2000u);
  step(4 + 1);
  EXPECT_EQ(x(27), 3u);
}

TEST_F(MmuTest, SupervisorNeedsSumForUserPagesAndNeverExecutesThem) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x5000'0000, kRamBase + 0x30000, kR | kW | kA | kD | kU);
  map(0x6000'0000, kCodePa, kR | kX | kA | kU);
  write64(kRamBase + 0x30000, 5);
  Program p;
  p.li(s0, 0x5000'0000);
  p << ld(a0, s0, 0) << csrrs(zero, csrn::kSstatus, t0) << ld(a1, s0, 0);
  p.li(t1, 0x6000'0000);
  p << jalr(zero, t1, 0);
  load(p, kCodePa);
  hart.set_xreg(t0, ms::kSum);
  drop_to(cpu::kPrivS, kCodeVa);
  step(11);
  EXPECT_EQ(mcause(), cause::kLoadPage);
  step(4 + 2);
  EXPECT_EQ(x(a1), 5u);  // with SUM
  step(10 + 1 + 1);
  EXPECT_EQ(mcause(), cause::kFetchPage);
  EXPECT_EQ(mtval(), 0x6000'0000u);
}

TEST_F(MmuTest, MxrMakesExecutableReadable) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x5000'0000, kRamBase + 0x30000, kX | kA);
  write64(kRamBase + 0x30000, 9);
  Program p;
  p.li(s0, 0x5000'0000);
  p << csrrs(zero, csrn::kSstatus, t0) << ld(a0, s0, 0);
  load(p, kCodePa);
  hart.set_xreg(t0, ms::kMxr);
  drop_to(cpu::kPrivS, kCodeVa);
  step(12);
  EXPECT_EQ(x(a0), 9u);
  EXPECT_EQ(x(27), 0u);
}

TEST_F(MmuTest, MprvTranslatesMachineDataAccessesWithMpp) {
  enable(3);
  map(0x5000'0000, kRamBase + 0x30000, kR | kW | kA | kD);
  write64(kRamBase + 0x30000, 42);
  set_csr(csrn::kMstatus, ms::kMprv | (1ull << ms::kMppShift));  // MPP = S
  Program p;
  p.li(s0, 0x5000'0000);
  p << ld(a0, s0, 0);
  load(p, kRamBase + 0x50000);
  hart.set_pc(kRamBase + 0x50000);  // fetch stays bare in M
  step(11);
  EXPECT_EQ(x(a0), 42u);
}

TEST_F(MmuTest, InvalidAndReservedPtesFault) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x5000'0000, kRamBase + 0x30000, kW | kA);          // W without R
  std::uint64_t pte = map(0x5000'1000, kRamBase + 0x31000, kR | kA);
  write64(pte, read64(pte) | (1ull << 60));                // reserved bit
  Program p;
  p.li(s0, 0x5000'0000);
  p << lui(s1, 0x5000'1000) << lui(t2, 0x5000'2000);
  p << ld(a0, s0, 0) << ld(a0, s1, 0) << ld(a0, t2, 0) /* unmapped */;
  load(p, kCodePa);
  drop_to(cpu::kPrivS, kCodeVa);
  step(13);
  EXPECT_EQ(mtval(), 0x5000'0000u);
  step(5);
  EXPECT_EQ(mtval(), 0x5000'1000u);
  step(5);
  EXPECT_EQ(mtval(), 0x5000'2000u);
  EXPECT_EQ(mcause(), cause::kLoadPage);
}

TEST_F(MmuTest, NonCanonicalAddressFaults) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  Program p;
  p.li(s0, 0x0000'0080'0000'0000ull);  // bit 39 set, upper bits clear
  p << ld(a0, s0, 0);
  load(p, kCodePa);
  drop_to(cpu::kPrivS, kCodeVa);
  step(11);
  EXPECT_EQ(mcause(), cause::kLoadPage);
}

TEST_F(MmuTest, SfenceVmaDropsStaleTranslations) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  std::uint64_t pte = map(0x5000'0000, kRamBase + 0x30000, kR | kA);
  write64(kRamBase + 0x30000, 1);
  write64(kRamBase + 0x31000, 2);
  Program p;
  p.li(s0, 0x5000'0000);
  p << ld(a0, s0, 0) << jal(zero, 0);
  load(p, kCodePa);
  Program q;
  q << ld(a1, s0, 0) << sfence_vma(s0, zero) << ld(a2, s0, 0) << jal(zero, 0);
  load(q, kCodePa + 0x100);
  drop_to(cpu::kPrivS, kCodeVa);
  step(11);
  EXPECT_EQ(x(a0), 1u);
  write64(pte, (((kRamBase + 0x31000) >> 12) << 10) | kR | kA | kV);  // remap without sfence
  hart.set_pc(kCodeVa + 0x100);
  step(3);
  EXPECT_EQ(x(a1), 1u);  // the TLB may still hold the old translation
  EXPECT_EQ(x(a2), 2u);  // after sfence.vma it must not
}

TEST_F(MmuTest, SatpWithUnsupportedModeIsIgnoredAndTvmTraps) {
  set_csr(csrn::kSatp, (8ull << 60) | 0x1234);
  set_csr(csrn::kSatp, (1ull << 60) | 0x5678);  // Sv32 is not an RV64 mode
  EXPECT_EQ(hart.csr(csrn::kSatp), (8ull << 60) | 0x1234);
  set_csr(csrn::kSatp, 0);
  install_skip_handler();
  set_csr(csrn::kMstatus, ms::kTvm);
  Program p;
  p << csrr(a0, csrn::kSatp) << sfence_vma(zero, zero);
  load(p, kRamBase + 0x100);
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(mcause(), cause::kIllegal);
  step(5);
  EXPECT_EQ(mtval(), sfence_vma(zero, zero));
}

TEST_F(MmuTest, PageCrossingStoreFaultsOnTheSecondPageWithoutWritingTheFirst) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  map(0x5000'0000, kRamBase + 0x30000, kR | kW | kA | kD);  // next page unmapped
  write64(kRamBase + 0x30ff8, 0);
  Program p;
  p.li(s0, 0x5000'0ffc);
  p << addi(a0, zero, -1) << sd(a0, s0, 0);
  load(p, kCodePa);
  drop_to(cpu::kPrivS, kCodeVa);
  step(12);
  EXPECT_EQ(mcause(), cause::kStorePage);
  EXPECT_EQ(mtval(), 0x5000'1000u);
  EXPECT_EQ(read64(kRamBase + 0x30ff8), 0u);
}

TEST_F(MmuTest, InstructionStraddlingIntoAnUnmappedPageFaultsOnTheSecondHalf) {
  enable(3);
  map(kCodeVa, kCodePa, kR | kX | kA);
  Program p;
  p << addi(a0, zero, 1);
  load(p, kCodePa + kPageSize - 2);
  drop_to(cpu::kPrivS, kCodeVa + kPageSize - 2);
  step(1);
  EXPECT_EQ(mcause(), cause::kFetchPage);
  EXPECT_EQ(mtval(), kCodeVa + kPageSize);
  EXPECT_EQ(hart.csr(csrn::kMepc), kCodeVa + kPageSize - 2);
  EXPECT_EQ(x(a0), 0u);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
