// CSR access rules and WARL behaviour.
#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using CsrTest = HartTest;
namespace cause = cpu::cause;
namespace csrn = cpu::csrn;
namespace ms = cpu::mstatus;

TEST_F(CsrTest, IdentityAndFixedFields) {
  std::uint64_t misa = hart.csr(csrn::kMisa);
  EXPECT_EQ(misa >> 62, 2u);
  for (char ext : {'A', 'C', 'D', 'F', 'I', 'M', 'S', 'U'}) EXPECT_TRUE((misa >> (ext - 'A')) & 1) << ext;
  EXPECT_EQ(hart.csr(csrn::kMhartid), 0u);
  std::uint64_t status = hart.csr(csrn::kMstatus);
  EXPECT_EQ((status >> 32) & 3, 2u);  // UXL
  EXPECT_EQ((status >> 34) & 3, 2u);  // SXL
  set_csr(csrn::kMstatus, ~0ull);
  status = hart.csr(csrn::kMstatus);
  EXPECT_EQ((status >> 32) & 0xf, 0xau);  // still read-only
  EXPECT_EQ(status & ms::kSd, ms::kSd);   // FS = dirty
  EXPECT_EQ((status >> 15) & 3, 0u);      // XS
}

TEST_F(CsrTest, ReservedMppValueKeepsTheOldOne) {
  set_csr(csrn::kMstatus, 1ull << ms::kMppShift);
  set_csr(csrn::kMstatus, 2ull << ms::kMppShift);
  EXPECT_EQ((hart.csr(csrn::kMstatus) & ms::kMpp) >> ms::kMppShift, 1u);
}

TEST_F(CsrTest, AccessRules) {
  install_skip_handler();
  Program p;
  p << csrr(a0, csrn::kMstatus)          // S reading an M CSR
    << csrrw(a0, csrn::kCycle, a1)       // writing a read-only CSR
    << csrr(a0, 0x7c0)                   // unknown
    << csrr(a1, csrn::kSstatus);         // fine
  load(p, kRamBase + 0x100);
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMtval), csrr(a0, csrn::kMstatus));
  step(5);
  EXPECT_EQ(hart.csr(csrn::kMtval), csrrw(a0, csrn::kCycle, a1));
  step(5);
  EXPECT_EQ(hart.csr(csrn::kMtval), csrr(a0, 0x7c0));
  step(5);
  EXPECT_EQ(x(27), 3u);
}

TEST_F(CsrTest, CountersFollowInstretAndCounterEnables) {
  install_skip_handler();
  Program p;
  p << csrr(a0, csrn::kInstret) << csrr(a1, csrn::kCycle) << csrr(a2, csrn::kTime);
  load(p, kRamBase + 0x100);
  hart.set_pc(kRamBase + 0x100);
  Instret before = hart.instret();
  step(3);
  EXPECT_EQ(x(a0), before);
  EXPECT_EQ(x(a1), before + 1);
  EXPECT_EQ(x(a2), clock.mtime(before + 2));
  // In S without mcounteren: illegal.
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x100);
  // mcounteren.IR lets S read instret; U also needs scounteren.
  set_csr(csrn::kMcounteren, 4);
  hart.set_xreg(27, 0);
  drop_to(cpu::kPrivU, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x100);
  EXPECT_EQ(hart.privilege(), cpu::kPrivM);
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  EXPECT_EQ(hart.pc(), kRamBase + 0x104);
}

TEST_F(CsrTest, MinstretWriteIsSeenByTheNextInstruction) {
  Program p;
  p.li(t0, 1000);
  p << csrw(csrn::kMinstret, t0) << csrr(a0, csrn::kMinstret) << csrr(a1, csrn::kInstret);
  load(p);
  Instret before = hart.instret();
  step(13);
  EXPECT_EQ(x(a0), 1000u);
  EXPECT_EQ(x(a1), 1001u);
  EXPECT_EQ(hart.instret(), before + 13);  // the host count is untouched
}

TEST_F(CsrTest, InterruptRegistersMasks) {
  set_csr(csrn::kMie, ~0ull);
  EXPECT_EQ(hart.csr(csrn::kMie), 0xaaau);
  set_csr(csrn::kMideleg, ~0ull);
  EXPECT_EQ(hart.csr(csrn::kMideleg), 0x222u);
  EXPECT_EQ(hart.csr(csrn::kSie), 0x222u);
  set_csr(csrn::kMedeleg, ~0ull);
  EXPECT_EQ(hart.csr(csrn::kMedeleg) & (1u << cause::kEcallM), 0u);
  set_csr(csrn::kMip, kMipSsip | kMipStip);
  EXPECT_EQ(hart.csr(csrn::kSip), kMipSsip | kMipStip);
  set_csr(csrn::kSip, 0);  // only SSIP is writable through sip
  EXPECT_EQ(hart.csr(csrn::kMip), kMipStip);
}

TEST_F(CsrTest, TvecEpcAndPmpWarl) {
  set_csr(csrn::kMtvec, kRamBase | 3);
  EXPECT_EQ(hart.csr(csrn::kMtvec), kRamBase | 1);
  set_csr(csrn::kSepc, 0x1235);
  EXPECT_EQ(hart.csr(csrn::kSepc), 0x1234u);
  set_csr(csrn::kPmpaddr0 + 3, ~0ull);
  EXPECT_EQ(hart.csr(csrn::kPmpaddr0 + 3), (1ull << 54) - 1);
  set_csr(csrn::kPmpcfg0, 0x0000'0000'8f02'ff1full);
  // byte0 0x1f -> 0x1f; byte1 0xff -> 0x9f; byte2 W-only 0x02 -> 0; byte3 locked TOR/NAPOT 0x8f.
  EXPECT_EQ(hart.csr(csrn::kPmpcfg0), 0x8f00'9f1full);
  set_csr(csrn::kPmpcfg0, 0);
  EXPECT_EQ(hart.csr(csrn::kPmpcfg0), 0x8f00'9f00ull);  // locked entries (L set) stay
  set_csr(csrn::kPmpaddr0 + 3, 5);
  EXPECT_EQ(hart.csr(csrn::kPmpaddr0 + 3), (1ull << 54) - 1);
}

TEST_F(CsrTest, FloatingPointCsrsNeedFsAndMarkDirty) {
  install_skip_handler();
  Program p;
  p << csrrwi(a0, csrn::kFrm, 3) << kNop;
  load(p, kRamBase + 0x100);
  hart.set_pc(kRamBase + 0x100);
  step(1);  // FS = off
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  set_csr(csrn::kMstatus, 1ull << ms::kFsShift);  // initial
  hart.set_pc(kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kFrm), 3u);
  EXPECT_EQ(hart.csr(csrn::kFcsr), 3u << 5);
  EXPECT_EQ(hart.csr(csrn::kMstatus) & ms::kFs, ms::kFsDirty);
  EXPECT_NE(hart.csr(csrn::kMstatus) & ms::kSd, 0u);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
