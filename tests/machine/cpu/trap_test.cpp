// Exceptions, delegation, xRET, vectored traps, interrupts and WFI.
#include "hart_fixture.h"

namespace ftvm::machine::test_asm {
namespace {

using TrapTest = HartTest;
namespace cause = cpu::cause;
namespace csrn = cpu::csrn;
namespace ms = cpu::mstatus;

constexpr std::uint64_t kSHandler = kRamBase + 0xd0000;

TEST_F(TrapTest, EcallFromEachModeDoesNotRetire) {
  install_skip_handler();
  Program p;
  p << kEcall << kEcall << kEcall;
  load(p, kRamBase + 0x100);
  hart.set_pc(kRamBase + 0x100);
  Instret before = hart.instret();
  step(1);  // ecall traps, handler's first instruction retires
  EXPECT_EQ(hart.instret(), before + 1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kEcallM);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x100);
  EXPECT_EQ(hart.csr(csrn::kMtval), 0u);
  drop_to(cpu::kPrivS, kRamBase + 0x104);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kEcallS);
  EXPECT_EQ((hart.csr(csrn::kMstatus) & ms::kMpp) >> ms::kMppShift, cpu::kPrivS);
  EXPECT_EQ(hart.privilege(), cpu::kPrivM);
  drop_to(cpu::kPrivU, kRamBase + 0x108);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kEcallU);
  EXPECT_EQ((hart.csr(csrn::kMstatus) & ms::kMpp) >> ms::kMppShift, cpu::kPrivU);
}

TEST_F(TrapTest, EbreakReportsItsPc) {
  install_skip_handler();
  Program p;
  p << kNop << kEbreak;
  load(p);
  step(2);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kBreakpoint);
  EXPECT_EQ(hart.csr(csrn::kMtval), kRamBase + 4);
}

TEST_F(TrapTest, IllegalInstructionsReportTheirBits) {
  install_skip_handler();
  Program p;
  p << 0xffffffffu;  // no such opcode
  p << r_type(opc::kOp, a0, 0, a1, a2, 0x40);  // bad funct7
  load(p);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMtval), 0xffffffffu);
  step(4 + 1);  // rest of the handler; the second one traps
  EXPECT_EQ(hart.csr(csrn::kMtval), r_type(opc::kOp, a0, 0, a1, a2, 0x40));
  step(3);
  EXPECT_EQ(x(27), 2u);
}

TEST_F(TrapTest, AllZeroCompressedWordIsIllegal) {
  install_skip_handler();
  hart.set_pc(kRamBase + 0x400);  // zero-filled RAM
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMtval), 0u);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x400);
}

TEST_F(TrapTest, DelegatedExceptionGoesToSupervisor) {
  install_skip_handler();
  Program sh;  // S handler: sepc += 4; sret
  sh << csrr(t5, csrn::kSepc) << addi(t5, t5, 4) << csrw(csrn::kSepc, t5) << addi(26, 26, 1) << kSret;
  load(sh, kSHandler);
  set_csr(csrn::kStvec, kSHandler);
  set_csr(csrn::kMedeleg, 1u << cause::kEcallU);
  set_csr(csrn::kMstatus, ms::kSie);
  Program p;
  p << kEcall << addi(a0, zero, 1);
  load(p, kRamBase + 0x100);
  drop_to(cpu::kPrivU, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  EXPECT_EQ(hart.csr(csrn::kScause), cause::kEcallU);
  EXPECT_EQ(hart.csr(csrn::kSepc), kRamBase + 0x100);
  std::uint64_t status = hart.csr(csrn::kMstatus);
  EXPECT_EQ(status & ms::kSpp, 0u);      // came from U
  EXPECT_NE(status & ms::kSpie, 0u);     // SIE was set
  EXPECT_EQ(status & ms::kSie, 0u);
  EXPECT_EQ(hart.csr(csrn::kMcause), 0u);  // M never saw it
  step(4 + 1);
  EXPECT_EQ(hart.privilege(), cpu::kPrivU);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_NE(hart.csr(csrn::kMstatus) & ms::kSie, 0u);  // restored from SPIE
}

TEST_F(TrapTest, ExceptionsInMachineModeAreNeverDelegated) {
  install_skip_handler();
  set_csr(csrn::kStvec, kSHandler);
  set_csr(csrn::kMedeleg, 1u << cause::kIllegal);
  Program p;
  p << 0xffffffffu;
  load(p);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kScause), 0u);
}

TEST_F(TrapTest, MretRestoresStateAndClearsMprvWhenLeavingM) {
  set_csr(csrn::kMstatus, ms::kMpie | ms::kMprv | (1ull << ms::kMppShift));
  set_csr(csrn::kMepc, kRamBase + 0x201);  // bit 0 is dropped
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x200);
  Program p;
  p << kMret;
  load(p);
  hart.set_pc(kRamBase);
  step(1);
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  EXPECT_EQ(hart.pc(), kRamBase + 0x200);
  std::uint64_t status = hart.csr(csrn::kMstatus);
  EXPECT_NE(status & ms::kMie, 0u);
  EXPECT_NE(status & ms::kMpie, 0u);
  EXPECT_EQ(status & ms::kMpp, 0u);
  EXPECT_EQ(status & ms::kMprv, 0u);
}

TEST_F(TrapTest, XretFromTooLowAPrivilegeIsIllegal) {
  install_skip_handler();
  Program p;
  p << kMret << kSret;
  load(p, kRamBase + 0x100);
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  EXPECT_EQ(hart.csr(csrn::kMtval), kMret);
  // sret in S is fine unless TSR.
  set_csr(csrn::kMstatus, ms::kTsr);
  drop_to(cpu::kPrivS, kRamBase + 0x104);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMtval), kSret);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x104);
}

TEST_F(TrapTest, VectoredModeAppliesToInterruptsOnly) {
  set_csr(csrn::kMtvec, kHandler | 1);
  set_csr(csrn::kMie, kMipMtip);
  set_csr(csrn::kMstatus, ms::kMie);
  Program p;
  p << kNop << kNop;
  load(p);
  Program spin;
  spin << jal(zero, 0);
  load(spin, kHandler + 4 * 7);
  hart.set_pc(kRamBase);
  hart.set_interrupt_line(kMipMtip, true);
  step(1);  // taken at the boundary, then the spin at the vector retires
  EXPECT_EQ(hart.pc(), kHandler + 4 * 7);
  EXPECT_EQ(hart.csr(csrn::kMcause), (1ull << 63) | 7);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase);
  // An exception still goes to the base.
  Program q;
  q << kEcall;
  load(q, kHandler + 28);
  Program spin_base;
  spin_base << jal(zero, 0);
  load(spin_base, kHandler);
  hart.set_interrupt_line(kMipMtip, false);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kEcallM);
}

class InterruptTest : public HartTest {
 protected:
  // Every interrupt vectors to kHandler (direct), which spins; the test reads mcause/scause.
  void SetUp() override {
    Program spin;
    spin << jal(zero, 0);
    load(spin, kHandler);
    load(spin, kSHandler);
    set_csr(csrn::kMtvec, kHandler);
    set_csr(csrn::kStvec, kSHandler);
    Program body;
    for (int i = 0; i < 16; ++i) body << kNop;
    load(body, kRamBase + 0x100);
    hart.set_pc(kRamBase + 0x100);
  }
  void lines(std::uint64_t bits) {
    for (std::uint64_t b : {kMipMeip, kMipMsip, kMipMtip, kMipSeip}) hart.set_interrupt_line(b, (bits & b) != 0);
  }
  // Runs one instruction: a deliverable interrupt is taken at the boundary
  // before it, and the handler's spin retires.
  void boundary() { step(1); }
};

TEST_F(InterruptTest, MachineInterruptPriority) {
  set_csr(csrn::kMie, 0xaaa);
  set_csr(csrn::kMstatus, ms::kMie);
  lines(kMipMtip | kMipMsip | kMipMeip | kMipSeip);
  boundary();
  EXPECT_EQ(hart.csr(csrn::kMcause), (1ull << 63) | 11);
  struct Case {
    std::uint64_t lines;
    std::uint64_t cause;
  };
  for (Case c : {Case{kMipMtip | kMipMsip | kMipSeip, 3}, Case{kMipMtip | kMipSeip, 7}, Case{kMipSeip, 9}}) {
    lines(0);
    set_csr(csrn::kMstatus, ms::kMie);
    hart.set_pc(kRamBase + 0x100);
    lines(c.lines);
    boundary();
    EXPECT_EQ(hart.csr(csrn::kMcause), (1ull << 63) | c.cause) << c.lines;
  }
}

// Supervisor interrupts delegated and taken from U: SEI > SSI > STI.
class SupervisorPriorityTest : public InterruptTest, public ::testing::WithParamInterface<std::uint64_t> {};

TEST_P(SupervisorPriorityTest, HighestPendingIsTaken) {
  std::uint64_t pending = GetParam();
  set_csr(csrn::kMideleg, 0x222);
  set_csr(csrn::kMie, 0x222);
  set_csr(csrn::kMip, pending & (kMipSsip | kMipStip));  // M software may set both
  lines(pending & kMipSeip);
  drop_to(cpu::kPrivU, kRamBase + 0x100);
  boundary();
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  std::uint64_t expected = (pending & kMipSeip) ? 9 : (pending & kMipSsip) ? 1 : 5;
  EXPECT_EQ(hart.csr(csrn::kScause), (1ull << 63) | expected);
  EXPECT_EQ(hart.csr(csrn::kSepc), kRamBase + 0x100);
}

INSTANTIATE_TEST_SUITE_P(Pending, SupervisorPriorityTest,
                         ::testing::Values(kMipSeip | kMipSsip | kMipStip, kMipSsip | kMipStip, kMipStip));

TEST_F(InterruptTest, MachineInterruptsMaskedByMieOnlyInMachineMode) {
  set_csr(csrn::kMie, kMipMtip);
  lines(kMipMtip);
  boundary();
  EXPECT_EQ(hart.pc(), kRamBase + 0x104);  // M with MIE=0: not taken
  EXPECT_EQ(hart.csr(csrn::kMcause), 0u);
  // In S, an M interrupt is taken whatever MIE says.
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  boundary();
  EXPECT_EQ(hart.privilege(), cpu::kPrivM);
  EXPECT_EQ(hart.csr(csrn::kMcause), (1ull << 63) | 7);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x100);
  EXPECT_EQ(hart.pc(), kHandler);
}

TEST_F(InterruptTest, DelegatedInterruptsNeverTakenInMachineMode) {
  set_csr(csrn::kMideleg, kMipSeip);
  set_csr(csrn::kMie, kMipSeip);
  set_csr(csrn::kMstatus, ms::kMie | ms::kSie);
  lines(kMipSeip);
  boundary();
  EXPECT_EQ(hart.privilege(), cpu::kPrivM);
  EXPECT_EQ(hart.pc(), kRamBase + 0x104);
  EXPECT_EQ(hart.csr(csrn::kScause), 0u);
}

TEST_F(InterruptTest, DelegatedInterruptsMaskedInSupervisorBySie) {
  set_csr(csrn::kMideleg, kMipSeip);
  set_csr(csrn::kMie, kMipSeip);
  lines(kMipSeip);
  drop_to(cpu::kPrivS, kRamBase + 0x100);
  boundary();
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  EXPECT_EQ(hart.pc(), kRamBase + 0x104);
  EXPECT_EQ(hart.csr(csrn::kScause), 0u);
}

TEST_F(InterruptTest, DelegatedInterruptsTakenInUserWhateverSie) {
  set_csr(csrn::kMideleg, kMipSeip);
  set_csr(csrn::kMie, kMipSeip);
  lines(kMipSeip);
  drop_to(cpu::kPrivU, kRamBase + 0x100);
  boundary();
  EXPECT_EQ(hart.privilege(), cpu::kPrivS);
  EXPECT_EQ(hart.csr(csrn::kScause), (1ull << 63) | 9);
  EXPECT_EQ(hart.csr(csrn::kSepc), kRamBase + 0x100);
  EXPECT_EQ(hart.pc(), kSHandler);
}

TEST_F(InterruptTest, SeipReadsAsSoftwareBitOrLine) {
  set_csr(csrn::kMip, kMipSeip);
  EXPECT_EQ(hart.csr(csrn::kMip) & kMipSeip, kMipSeip);
  set_csr(csrn::kMip, 0);
  EXPECT_EQ(hart.csr(csrn::kMip) & kMipSeip, 0u);
  lines(kMipSeip);
  EXPECT_EQ(hart.csr(csrn::kMip) & kMipSeip, kMipSeip);
  // Software cannot clear the line's contribution, nor set MEIP/MTIP.
  set_csr(csrn::kMip, kMipMeip | kMipMtip);
  EXPECT_EQ(hart.csr(csrn::kMip), kMipSeip);
}

TEST_F(InterruptTest, WfiWaitsWithoutRetiringAndWakesEvenWhenDisabled) {
  Program p;
  p << kWfi << addi(a0, zero, 3);
  load(p, kRamBase + 0x100);
  set_csr(csrn::kMie, kMipMtip);
  Instret start = hart.instret();
  EXPECT_EQ(hart.run(start + 100), HartStop::kWfi);
  EXPECT_EQ(hart.instret(), start + 1);  // the wfi itself retired
  EXPECT_TRUE(hart.waiting_for_interrupt());
  EXPECT_EQ(hart.run(start + 100), HartStop::kWfi);
  EXPECT_EQ(hart.instret(), start + 1);
  lines(kMipMtip);  // pending and enabled in mie, but MIE=0: resume, no trap
  EXPECT_EQ(hart.run(start + 2), HartStop::kLimit);
  EXPECT_FALSE(hart.waiting_for_interrupt());
  EXPECT_EQ(x(a0), 3u);
  EXPECT_EQ(hart.csr(csrn::kMcause), 0u);
}

TEST_F(InterruptTest, WfiWithPendingInterruptIsANop) {
  Program p;
  p << kWfi << addi(a0, zero, 3);
  load(p, kRamBase + 0x100);
  set_csr(csrn::kMie, kMipMsip);
  lines(kMipMsip);
  EXPECT_EQ(step(2), HartStop::kLimit);
  EXPECT_EQ(x(a0), 3u);
}

TEST_F(InterruptTest, WfiIsIllegalInUserAndInSupervisorWithTw) {
  Program p;
  p << kWfi << kWfi;
  load(p, kRamBase + 0x100);
  drop_to(cpu::kPrivU, kRamBase + 0x100);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMcause), cause::kIllegal);
  set_csr(csrn::kMstatus, ms::kTw);
  drop_to(cpu::kPrivS, kRamBase + 0x104);
  step(1);
  EXPECT_EQ(hart.csr(csrn::kMepc), kRamBase + 0x104);
  EXPECT_EQ(hart.csr(csrn::kMtval), kWfi);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
