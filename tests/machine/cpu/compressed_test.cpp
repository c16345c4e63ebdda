// RV64C: expansion to 32-bit equivalents and execution of mixed streams.
#include "hart_fixture.h"
#include "machine/cpu/engine.h"

namespace ftvm::machine::test_asm {
namespace {

using CompressedTest = HartTest;
using cpu::expand_compressed;

TEST(CompressedExpansion, MatchesTheThirtyTwoBitForms) {
  EXPECT_EQ(expand_compressed(0x0001), addi(zero, zero, 0));      // c.nop
  EXPECT_EQ(expand_compressed(0x4515), addi(a0, zero, 5));        // c.li a0, 5
  EXPECT_EQ(expand_compressed(0x157d), addi(a0, a0, -1));         // c.addi a0, -1
  EXPECT_EQ(expand_compressed(0x952e), add(a0, a0, a1));          // c.add a0, a1
  EXPECT_EQ(expand_compressed(0x852e), add(a0, zero, a1));        // c.mv a0, a1
  EXPECT_EQ(expand_compressed(0x8082), jalr(zero, ra, 0));        // c.ret
  EXPECT_EQ(expand_compressed(0x6108), ld(a0, a0, 0));            // c.ld a0, 0(a0)
  EXPECT_EQ(expand_compressed(0xe10c), sd(a1, a0, 0));            // c.sd a1, 0(a0)
  EXPECT_EQ(expand_compressed(0x1141), addi(sp, sp, -16));        // c.addi16sp -16
  EXPECT_EQ(expand_compressed(0xe406), sd(ra, sp, 8));            // c.sdsp ra, 8
  EXPECT_EQ(expand_compressed(0x60a2), ld(ra, sp, 8));            // c.ldsp ra, 8
  EXPECT_EQ(expand_compressed(0x0808), addi(a0, sp, 16));         // c.addi4spn a0, 16
  EXPECT_EQ(expand_compressed(0x8d0d), sub(a0, a0, a1));          // c.sub
  EXPECT_EQ(expand_compressed(0x9d2d), addw(a0, a0, a1));         // c.addw
  EXPECT_EQ(expand_compressed(0x9002), kEbreak);                  // c.ebreak
  EXPECT_EQ(expand_compressed(0x2108), fld(s0 + 2, a0, 0));       // c.fld fa0, 0(a0)
  EXPECT_EQ(expand_compressed(0x0000), 0u);                       // defined illegal
  EXPECT_EQ(expand_compressed(0x6001), 0u);                       // c.lui x0... reserved: nzimm 0
}

TEST_F(CompressedTest, MixedStreamExecutesWithTwoByteSteps) {
  Program p;
  p.c(0x4515);              // c.li a0, 5
  p << addi(a1, zero, 3);   // 4-byte at offset 2
  p.c(0x952e);              // c.add a0, a1
  p.c(0x157d);              // c.addi a0, -1
  p.c(0xa001);              // c.j 0 (spin)
  load(p);
  step(5);
  EXPECT_EQ(x(a0), 7u);
  EXPECT_EQ(hart.pc(), kRamBase + 10);
}

TEST_F(CompressedTest, CompressedBranchesAndCalls) {
  Program p;
  p.c(0x4509);             // 0: c.li a0, 2
  p.c(0x157d);             // 2: c.addi a0, -1
  p.c(0xfd7d);             // 4: c.bnez a0, -2
  p.c(0x2011);             // 6: c.jal?  (RV64: c.addiw x0 reserved) -> illegal
  load(p);
  step(5);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(hart.pc(), kRamBase + 6);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
