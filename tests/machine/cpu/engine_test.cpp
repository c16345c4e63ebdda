// The execution engine: exact stopping, decode-cache coherence (self-modifying
// code, DMA), page-crossing fetch, trap loops, and determinism.
#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using EngineTest = HartTest;

// a0 counts loop iterations forever: addi a0,a0,1; j -4
Program counting_loop() {
  Program p;
  p << addi(a0, a0, 1) << jal(zero, -4);
  return p;
}

TEST_F(EngineTest, RunStopsExactlyAtTheLimitMidBlock) {
  load(counting_loop());
  for (std::uint64_t limit : {1ull, 2ull, 7ull, 100ull, 101ull, 5000ull}) {
    EXPECT_EQ(hart.run(limit), HartStop::kLimit);
    EXPECT_EQ(hart.instret(), limit);
    // Every odd count stops after an addi, every even after the jump.
    EXPECT_EQ(x(a0), (limit + 1) / 2);
    EXPECT_EQ(hart.pc(), kRamBase + (limit % 2 == 1 ? 4 : 0));
  }
  EXPECT_EQ(hart.run(5000), HartStop::kLimit);  // already there: nothing runs
  EXPECT_EQ(hart.instret(), 5000u);
}

TEST_F(EngineTest, SlicingARunDoesNotChangeTheResult) {
  Program p;
  p << addi(a1, zero, 100) << addi(a0, a0, 3) << mul(a2, a0, a0) << add(a3, a3, a2) << addi(a1, a1, -1)
    << bne(a1, zero, -16) << kWfi;
  load(p);
  EXPECT_EQ(hart.run(1000), HartStop::kWfi);
  std::uint64_t whole = hash();
  std::uint64_t n = hart.instret();
  HartTest::TearDown();
  hart.reset(kRamBase);
  // A second hart on its own RAM, run in uneven slices.
  GuestRam ram2{kRamBase, kRamSize};
  Bus bus2{ram2};
  Hart other{bus2, clock};
  other.reset(kRamBase);
  ASSERT_TRUE(ram2.write(kRamBase, p.bytes().data(), p.size()));
  for (Instret limit = 3; other.instret() < n; limit += 7) other.run(std::min<Instret>(limit, n));
  StateHasher h;
  other.hash_state(h);
  EXPECT_EQ(h.digest(), whole);
}

TEST_F(EngineTest, StoreThenFenceIExecutesTheNewCode) {
  // Overwrite the instruction at `target` with "addi a0, zero, 42", then run it.
  std::uint32_t patched = addi(a0, zero, 42);
  Program p;
  p.li(s0, kRamBase + 0x100);
  p.li(t0, patched);
  p << sw(t0, s0, 0) << kFenceI << jal(zero, 0x100 - 88);
  load(p);
  Program target;
  target << addi(a0, zero, 1) << kWfi;
  load(target, kRamBase + 0x100);
  // Execute the old code once first so it is in the decode cache.
  hart.set_pc(kRamBase + 0x100);
  step(1);
  EXPECT_EQ(x(a0), 1u);
  hart.set_pc(kRamBase);
  step(20 + 3 + 1);
  EXPECT_EQ(hart.pc(), kRamBase + 0x104);
  EXPECT_EQ(x(a0), 42u);
}

TEST_F(EngineTest, StoreIntoTheRunningPageTakesEffect) {
  // The next instruction in the same page is rewritten by the store before it.
  Program p;
  p.li(t0, addi(a0, zero, 7));
  p << auipc(s0, 0) << sw(t0, s0, 8) << addi(a0, zero, 1);
  load(p);
  EXPECT_EQ(step(10 + 3), HartStop::kLimit) << hart.instret() << " " << std::hex << hart.pc() << " " << hart.csr(0x342);
  EXPECT_EQ(x(a0), 7u);
}

TEST_F(EngineTest, DmaWriteToDecodedPageIsSeen) {
  Program p;
  p << addi(a0, zero, 1) << jal(zero, 0);  // spin
  load(p);
  step(5);
  EXPECT_EQ(x(a0), 1u);
  Program q;
  q << addi(a0, zero, 2) << jal(zero, 0);
  load(q);  // GuestRam::write, as a device would
  hart.set_pc(kRamBase);
  step(1);
  EXPECT_EQ(x(a0), 2u);
}

TEST_F(EngineTest, FourByteInstructionAcrossAPageBoundary) {
  std::uint64_t at = kRamBase + 2 * kPageSize - 2;
  Program p;
  p << addi(a0, zero, 5) << addi(a1, a0, 6);
  load(p, at);
  hart.set_pc(at);
  step(2);
  EXPECT_EQ(x(a0), 5u);
  EXPECT_EQ(x(a1), 11u);
  EXPECT_EQ(hart.pc(), at + 8);
  // Its second half is on another page: rewriting that page is seen too.
  Program q;
  q << addi(a0, zero, 9);
  load(q, at);
  hart.set_pc(at);
  step(1);
  EXPECT_EQ(x(a0), 9u);
}

TEST_F(EngineTest, RequestStopEndsTheRunWithAnEvent) {
  load(counting_loop());
  hart.request_stop();
  EXPECT_EQ(hart.run(100), HartStop::kEvent);
  EXPECT_EQ(hart.instret(), 0u);
  EXPECT_EQ(hart.run(100), HartStop::kLimit);
}

TEST_F(EngineTest, TrapLoopThatRetiresNothingDoesNotHangRun) {
  hart.set_pc(0x4000'0000);  // nothing there; mtvec = 0 has nothing either
  EXPECT_EQ(hart.run(100), HartStop::kEvent);
  EXPECT_EQ(hart.instret(), 0u);
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), cpu::cause::kFetchAccess);
}

TEST_F(EngineTest, FlushCachesIsInvisible) {
  Program p;
  p << addi(a1, zero, 50) << addi(a0, a0, 1) << addi(a1, a1, -1) << bne(a1, zero, -8) << kWfi;
  load(p);
  step(20);
  hart.flush_caches();
  EXPECT_EQ(hart.run(1000), HartStop::kWfi);
  EXPECT_EQ(x(a0), 50u);
}

// Two harts, same program, same interrupt-line changes at the same counts:
// same state. A different count: a different state.
class DeterminismTest : public ::testing::Test {
 protected:
  struct Rig {
    GuestRam ram{kRamBase, kRamSize};
    Bus bus{ram};
    VirtualClock clock{100};
    Hart hart{bus, clock};
  };
  static Program program() {
    // Enable MEIE and MIE; the handler counts interrupts in s1 and masks the
    // line source by clearing MEIE; the main loop mixes a0.
    Program p;
    p.li(t0, kRamBase + 0x200);
    p << csrw(cpu::csrn::kMtvec, t0) << addi(t0, zero, 1) << slli(t0, t0, 11) << csrw(cpu::csrn::kMie, t0)
      << csrrsi(zero, cpu::csrn::kMstatus, 8);
    // loop at +0x3c..: a0 = a0*3 + instret-ish
    while (p.size() < 0x40) p << kNop;
    p << slli(t1, a0, 1) << add(a0, a0, t1) << addi(a0, a0, 1) << jal(zero, -12);
    while (p.size() < 0x200) p << kNop;
    p << addi(s1, s1, 1) << csrr(t2, cpu::csrn::kMepc) << xor_reg() << csrrc(zero, cpu::csrn::kMie, t0) << kMret;
    return p;
  }
  static std::uint32_t xor_reg() { return rop(4, 0, a0, a0, t2); }
  static std::uint64_t run_with_irq_at(Instret raise_at) {
    Rig r;
    Program p = program();
    EXPECT_TRUE(r.ram.write(kRamBase, p.bytes().data(), p.size()));
    r.hart.reset(kRamBase);
    r.hart.run(raise_at);
    r.hart.set_interrupt_line(kMipMeip, true);
    r.hart.run(raise_at + 50);
    r.hart.set_interrupt_line(kMipMeip, false);
    r.hart.run(2000);
    EXPECT_EQ(r.hart.xreg(s1), 1u);
    StateHasher h;
    r.hart.hash_state(h);
    return h.digest();
  }
};

TEST_F(DeterminismTest, SameInputsSameHashDifferentCountDifferentHash) {
  std::uint64_t a = run_with_irq_at(500);
  std::uint64_t b = run_with_irq_at(500);
  std::uint64_t c = run_with_irq_at(501);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
