// F/D integration: NaN boxing, rounding-mode legality, FS gating, loads and
// stores, fused multiply-add sign handling. Arithmetic itself is the FPU's.
#include <bit>

#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using FpTest = HartTest;
namespace cause = cpu::cause;
namespace csrn = cpu::csrn;
namespace ms = cpu::mstatus;

constexpr unsigned fa0 = 10, fa1 = 11, fa2 = 12, fa3 = 13;
std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

class FpEnabled : public FpTest {
 protected:
  void SetUp() override {
    install_skip_handler();
    set_csr(csrn::kMstatus, 1ull << ms::kFsShift);
  }
};

TEST_F(FpTest, FloatingPointIsIllegalWhileFsIsOff) {
  install_skip_handler();
  Program p;
  p << fadd_d(fa0, fa1, fa2);
  load(p);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMtval), fadd_d(fa0, fa1, fa2));
}

TEST_F(FpEnabled, AddConvertAndMoveDouble) {
  Program p;
  p.li(t0, bits(1.5));
  p.li(t1, bits(2.25));
  p << fmv_d_x(fa0, t0) << fmv_d_x(fa1, t1) << fadd_d(fa2, fa0, fa1) << fmv_x_d(a0, fa2)
    << fcvt_l_d(a1, fa2, 1 /* rtz */) << fsgnjn_d(fa3, fa2, fa2) << feq_d(a2, fa2, fa2) << fmadd_d(fa3, fa0, fa1, fa0);
  load(p);
  step(20 + 8);
  EXPECT_EQ(x(a0), bits(3.75));
  EXPECT_EQ(x(a1), 3u);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(hart.freg(fa3), bits(1.5 * 2.25 + 1.5));
  EXPECT_EQ(hart.csr(csrn::kMstatus) & ms::kFs, ms::kFsDirty);
  EXPECT_EQ(x(27), 0u);
}

TEST_F(FpEnabled, SingleValuesAreNanBoxed) {
  Program p;
  p.li(t0, 0x3f800000);  // 1.0f
  p << fmv_w_x(fa0, t0) << fadd_s(fa1, fa0, fa0) << fmv_d_x(fa2, t0) /* not boxed */ << fadd_s(fa3, fa2, fa0);
  load(p);
  step(10 + 4);
  EXPECT_EQ(hart.freg(fa0), 0xffffffff3f800000ull);
  EXPECT_EQ(hart.freg(fa1), 0xffffffff40000000ull);  // 2.0f, boxed
  EXPECT_EQ(hart.freg(fa3), 0xffffffff7fc00000ull);  // unboxed input reads as canonical NaN
}

TEST_F(FpEnabled, ReservedRoundingModesAreIllegal) {
  Program p;
  p << fadd_d(fa0, fa1, fa2, 5)  // static rm 5: illegal at decode
    << fadd_d(fa0, fa1, fa2, 7);  // dynamic with frm = 5: illegal when executed
  load(p, kRamBase + 0x100);
  set_csr(csrn::kFrm, 5);
  hart.set_pc(kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMtval), fadd_d(fa0, fa1, fa2, 5));
  step(5);
  EXPECT_EQ(hart.csr(csrn::kMtval), fadd_d(fa0, fa1, fa2, 7));
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x104);
}

TEST_F(FpEnabled, LoadsAndStoresIncludingCompressed) {
  write64(kRamBase + 0x10000, bits(6.5));
  Program p;
  p.li(a0, kRamBase + 0x10000);
  p << fld(fa1, a0, 0) << fsd(fa1, a0, 8);
  p.c(0x2108);  // c.fld fa0, 0(a0)
  load(p);
  step(13);
  EXPECT_EQ(hart.freg(fa1), bits(6.5));
  EXPECT_EQ(read64(kRamBase + 0x10008), bits(6.5));
  EXPECT_EQ(hart.freg(fa0), bits(6.5));
}

}  // namespace
}  // namespace ftvm::machine::test_asm
