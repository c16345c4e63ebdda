// RV64I and M arithmetic, including the M extension's defined edge cases.
#include <cstdint>
#include <limits>

#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using IntegerTest = HartTest;

constexpr std::uint64_t kMin64 = 1ull << 63;

TEST_F(IntegerTest, ImmediateAndRegisterArithmetic) {
  Program p;
  p << addi(a0, zero, -5) << addi(a1, zero, 7) << add(a2, a0, a1) << sub(a3, a0, a1) << slt(a4, a0, a1)
    << sltu(a5, a0, a1) << slti(a6, a0, -4) << sltiu(a7, a1, -1) << xori(t0, a0, -1) << andi(t1, a0, 0xf)
    << ori(t2, a1, 0x100);
  load(p);
  step(11);
  EXPECT_EQ(x(a2), 2u);
  EXPECT_EQ(x(a3), static_cast<std::uint64_t>(-12));
  EXPECT_EQ(x(a4), 1u);
  EXPECT_EQ(x(a5), 0u);  // -5 is huge unsigned
  EXPECT_EQ(x(a6), 1u);
  EXPECT_EQ(x(a7), 1u);  // sltiu compares with sign-extended -1 = max
  EXPECT_EQ(x(t0), 4u);
  EXPECT_EQ(x(t1), 0xbu);
  EXPECT_EQ(x(t2), 0x107u);
  EXPECT_EQ(hart.pc(), kRamBase + 44);
}

TEST_F(IntegerTest, ShiftsUseSixBitsAndWordFormsSignExtend) {
  Program p;
  p << addi(a0, zero, -1) << srli(a1, a0, 60) << srai(a2, a0, 63) << slli(a3, a0, 63) << addi(t0, zero, 65)
    << sll(a4, a1, t0)  // shift amount 65 & 63 = 1
    << slliw(a5, a1, 31) << sraiw(a6, a5, 4) << addiw(a7, a0, 0);
  load(p);
  step(9);
  EXPECT_EQ(x(a1), 0xfu);
  EXPECT_EQ(x(a2), ~0ull);
  EXPECT_EQ(x(a3), kMin64);
  EXPECT_EQ(x(a4), 0x1eu);
  EXPECT_EQ(x(a5), 0xffffffff80000000ull);
  EXPECT_EQ(x(a6), 0xfffffffff8000000ull);
  EXPECT_EQ(x(a7), ~0ull);
}

TEST_F(IntegerTest, WritesToX0AreDiscarded) {
  Program p;
  p << addi(zero, zero, 5) << lui(zero, 0x12345000) << add(a0, zero, zero) << jal(zero, 4) << addi(a1, zero, 1);
  load(p);
  step(5);
  EXPECT_EQ(x(0), 0u);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(x(a1), 1u);
}

TEST_F(IntegerTest, LuiAndAuipc) {
  Program p;
  p << lui(a0, static_cast<int>(0x80000000u)) << auipc(a1, 0x1000) << lui(a2, 0x7ffff000);
  load(p);
  step(3);
  EXPECT_EQ(x(a0), 0xffffffff80000000ull);  // sign-extended
  EXPECT_EQ(x(a1), kRamBase + 4 + 0x1000);
  EXPECT_EQ(x(a2), 0x7ffff000u);
}

TEST_F(IntegerTest, MultiplyHighVariants) {
  Program p;
  p << addi(a0, zero, -2) << addi(a1, zero, 3) << mul(a2, a0, a1) << mulh(a3, a0, a1) << mulhu(a4, a0, a1)
    << mulhsu(a5, a0, a1) << mulw(a6, a0, a1);
  load(p);
  step(7);
  EXPECT_EQ(x(a2), static_cast<std::uint64_t>(-6));
  EXPECT_EQ(x(a3), ~0ull);   // high half of -6
  EXPECT_EQ(x(a4), 2u);      // (2^64-2)*3 >> 64
  EXPECT_EQ(x(a5), ~0ull);   // signed * unsigned
  EXPECT_EQ(x(a6), static_cast<std::uint64_t>(-6));
}

TEST_F(IntegerTest, DivisionByZeroAndOverflowFollowTheSpec) {
  Program p;
  p.li(a0, kMin64);
  p << addi(a1, zero, -1) << addi(a2, zero, 7) << div(t0, a2, zero) << divu(t1, a2, zero) << rem(t2, a2, zero)
    << remu(s0, a2, zero) << div(s1, a0, a1) << rem(a3, a0, a1) << divw(a4, a2, zero) << remw(a5, a2, zero)
    << divuw(a6, a2, zero) << remuw(a7, a2, zero);
  load(p);
  step(10 + 12);
  EXPECT_EQ(x(t0), ~0ull);
  EXPECT_EQ(x(t1), ~0ull);
  EXPECT_EQ(x(t2), 7u);
  EXPECT_EQ(x(s0), 7u);
  EXPECT_EQ(x(s1), kMin64);  // overflow: quotient is the dividend
  EXPECT_EQ(x(a3), 0u);
  EXPECT_EQ(x(a4), ~0ull);
  EXPECT_EQ(x(a5), 7u);
  EXPECT_EQ(x(a6), ~0ull);
  EXPECT_EQ(x(a7), 7u);
}

TEST_F(IntegerTest, WordDivisionOverflowAndSignedRemainder) {
  Program p;
  p << lui(a0, static_cast<int>(0x80000000u)) << addi(a1, zero, -1) << divw(a2, a0, a1) << remw(a3, a0, a1)
    << addi(a4, zero, -7) << addi(a5, zero, 2) << rem(a6, a4, a5) << div(a7, a4, a5);
  load(p);
  step(8);
  EXPECT_EQ(x(a2), 0xffffffff80000000ull);
  EXPECT_EQ(x(a3), 0u);
  EXPECT_EQ(x(a6), static_cast<std::uint64_t>(-1));  // remainder takes the dividend's sign
  EXPECT_EQ(x(a7), static_cast<std::uint64_t>(-3));  // rounds toward zero
}

TEST_F(IntegerTest, BranchesAndCalls) {
  Program p;
  // 0: a0 = 3; loop: a1 += a0; a0 -= 1; bne a0, zero, loop; call f; ...; f: a2 = 9; ret
  p << addi(a0, zero, 3) << add(a1, a1, a0) << addi(a0, a0, -1) << bne(a0, zero, -8) << jal(ra, 12)
    << addi(a3, zero, 1) << jal(zero, 12) << addi(a2, zero, 9) << jalr(zero, ra, 0) << addi(a4, zero, 4);
  load(p);
  // 1 + 3*3 + jal + addi a2 + ret + addi a3 + jal + addi a4
  step(1 + 9 + 1 + 2 + 1 + 1 + 1);
  EXPECT_EQ(x(a1), 6u);
  EXPECT_EQ(x(a2), 9u);
  EXPECT_EQ(x(a3), 1u);
  EXPECT_EQ(x(a4), 4u);
  EXPECT_EQ(x(ra), kRamBase + 20);
  EXPECT_EQ(hart.pc(), kRamBase + 40);
}

TEST_F(IntegerTest, JalrClearsBitZeroAndLinksBeforeJumping) {
  Program p;
  p << auipc(a0, 0) << addi(a0, a0, 17) << jalr(a0, a0, 0) << addi(a1, zero, 1) << addi(a2, zero, 2);
  load(p);
  step(4);
  EXPECT_EQ(x(a0), kRamBase + 12);  // link, though rd == rs1
  EXPECT_EQ(x(a1), 0u);
  EXPECT_EQ(x(a2), 2u);
}

TEST_F(IntegerTest, LiHelperBuildsArbitraryConstants) {
  for (std::uint64_t v : {0ull, 1ull, ~0ull, 0x8000000000000000ull, 0x123456789abcdef0ull, 0x7fffffff80000800ull}) {
    Program p;
    p.li(a0, v);
    hart.reset(kRamBase);
    load(p);
    step(10);
    EXPECT_EQ(x(a0), v);
  }
}

}  // namespace
}  // namespace ftvm::machine::test_asm
