// The A extension: LR/SC reservations, AMO arithmetic, misalignment.
#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using AtomicTest = HartTest;
namespace cause = cpu::cause;
constexpr std::uint64_t kData = kRamBase + 0x10000;

TEST_F(AtomicTest, LrScSucceedsOnceThenFails) {
  write64(kData, 10);
  Program p;
  p.li(s0, kData);
  p << lr_d(a0, s0) << addi(a0, a0, 5) << sc_d(a1, s0, a0) << sc_d(a2, s0, a0);
  load(p);
  step(14);
  EXPECT_EQ(x(a1), 0u);  // success
  EXPECT_EQ(x(a2), 1u);  // the first SC consumed the reservation
  EXPECT_EQ(read64(kData), 15u);
}

TEST_F(AtomicTest, ScToAnotherAddressFailsAndWritesNothing) {
  write64(kData, 1);
  write64(kData + 8, 2);
  Program p;
  p.li(s0, kData);
  p << lr_w(a0, s0) << addi(s1, s0, 8) << sc_w(a1, s1, zero);
  load(p);
  step(13);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(read64(kData + 8), 2u);
}

TEST_F(AtomicTest, TrapClearsTheReservation) {
  install_skip_handler();
  write64(kData, 1);
  Program p;
  p.li(s0, kData);
  p << lr_d(a0, s0) << kEcall << sc_d(a1, s0, zero);
  load(p);
  step(10 + 1 + 5 + 1);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(read64(kData), 1u);
}

TEST_F(AtomicTest, AmoOperationsReturnTheOldValue) {
  write64(kData, 0xfffffffe00000005ull);  // low word 5, high word -2
  write64(kData + 8, 3);
  Program p;
  p.li(s0, kData);
  p << addi(t0, zero, -7) << amoadd_w(a0, s0, t0)  // word: 5 + -7 = -2
    << addi(s1, s0, 4) << addi(t1, zero, 9) << amomin_w(a1, s1, t1)  // min(-2, 9) = -2
    << addi(18, s0, 8) << addi(t2, zero, 7) << amoswap_d(a2, 18, t2) << amomaxu_d(a3, 18, t0)
    << amoor_d(a4, 18, zero);
  load(p);
  step(10 + 10);
  EXPECT_EQ(x(a0), 5u);
  EXPECT_EQ(read64(kData) & 0xffffffff, 0xfffffffeu);
  EXPECT_EQ(x(a1), 0xfffffffffffffffeull);  // sign-extended old word
  EXPECT_EQ(x(a2), 3u);
  EXPECT_EQ(x(a3), 7u);
  EXPECT_EQ(x(a4), static_cast<std::uint64_t>(-7));  // maxu(7, -7) = -7
}

TEST_F(AtomicTest, MisalignedAtomicsRaiseAddressMisaligned) {
  install_skip_handler();
  Program p;
  p.li(s0, kData + 4);
  p << lr_d(a0, s0) << amoswap_d(a0, s0, zero);
  load(p);
  step(11);
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), cause::kLoadMisaligned);
  step(5);
  EXPECT_EQ(hart.csr(cpu::csrn::kMcause), cause::kStoreMisaligned);
  EXPECT_EQ(hart.csr(cpu::csrn::kMtval), kData + 4);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
