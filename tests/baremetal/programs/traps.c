/* Exceptions: every cause that can occur without paging (page faults are in
 * paging.c), the values of mcause/mepc/mtval, delegation to S through
 * medeleg, mret/sret into each mode, the MPP/SPP/MPIE/SPIE state changes,
 * and the TVM/TW/TSR traps. Misaligned fetch (cause 0) cannot happen with C
 * enabled: every jump target is 2-byte aligned once jalr clears bit 0. */
#include "rt.h"

/* A physical address with nothing behind it on both machines. */
#define HOLE 0x28000000ul

/* --- exceptions taken in M --- */

static void test_ecall_breakpoint_illegal_m(void) {
  uint64_t at;
  expect_trap();
  __asm__ volatile(".option push\n.option norvc\nlla %0, 1f\n1: ecall\n.option pop" : "=&r"(at) :: "a7");
  CHECK_EQ(m_expect.rec.count, 1);
  CHECK_EQ(m_expect.rec.cause, CAUSE_MACHINE_ECALL);
  CHECK_EQ(m_expect.rec.epc, at);
  CHECK_EQ(m_expect.rec.tval, 0);
  CHECK_EQ(m_expect.rec.prev_mode, PRV_M);

  expect_trap();
  __asm__ volatile(".option push\n.option norvc\nlla %0, 1f\n1: ebreak\n.option pop" : "=&r"(at));
  CHECK_EQ(m_expect.rec.cause, CAUSE_BREAKPOINT);
  CHECK_EQ(m_expect.rec.epc, at);
  CHECK(m_expect.rec.tval == 0 || m_expect.rec.tval == at);  /* either is allowed */

  expect_trap();
  __asm__ volatile("lla %0, 1f\n1: .4byte 0xffffffff" : "=&r"(at));  /* not a valid encoding */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  CHECK_EQ(m_expect.rec.epc, at);
  CHECK(m_expect.rec.tval == 0 || m_expect.rec.tval == 0xffffffff);
  expect_trap();
  __asm__ volatile(".4byte 0x0000007f");  /* opcode of 64-bit+ encodings: not in RV64GC */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile(".4byte 0x0200000b");  /* custom-0 opcode */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  /* funct7 selects within OP: 0x01 with funct3 0 is mul (legal, here
   * mul x0, x1, x0), but 0x20 with funct3 1 (sll) is reserved. */
  expect_trap();
  __asm__ volatile(".4byte 0x02008033");
  CHECK_EQ(m_expect.rec.count, 0);
  m_expect.armed = 0;
  expect_trap();
  __asm__ volatile(".4byte 0x40001033");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
}

static void test_access_faults(void) {
  uint64_t v, at;
  expect_trap();
  __asm__ volatile("lla %1, 1f\n1: ld %0, 0(%2)" : "=r"(v), "=&r"(at) : "r"(HOLE + 8));
  CHECK_EQ(m_expect.rec.cause, CAUSE_LOAD_ACCESS);
  CHECK_EQ(m_expect.rec.epc, at);
  CHECK_EQ(m_expect.rec.tval, HOLE + 8);
  expect_trap();
  __asm__ volatile("sw %0, 4(%1)" :: "r"(1ul), "r"(HOLE) : "memory");
  CHECK_EQ(m_expect.rec.cause, CAUSE_STORE_ACCESS);
  CHECK_EQ(m_expect.rec.tval, HOLE + 4);
  /* AMOs are stores for fault purposes */
  expect_trap();
  __asm__ volatile("amoadd.d %0, %1, (%2)" : "=r"(v) : "r"(1ul), "r"(HOLE) : "memory");
  CHECK_EQ(m_expect.rec.cause, amo_cause(CAUSE_STORE_ACCESS));
  /* fetch: mepc and mtval are the target; resume at the caller's return address */
  expect_trap();
  __asm__ volatile("lla t0, 1f\nsd t0, 0(%1)\njr %0\n1:" :: "r"(HOLE + 0x40), "r"(&m_expect.resume) : "t0", "memory");
  CHECK_EQ(m_expect.rec.cause, CAUSE_FETCH_ACCESS);
  CHECK_EQ(m_expect.rec.epc, HOLE + 0x40);
  CHECK_EQ(m_expect.rec.tval, HOLE + 0x40);
}

static void test_misaligned_data(void) {
  /* Our machine (and QEMU) handle misaligned loads and stores: no trap. */
  static volatile uint8_t bytes[16] __attribute__((aligned(8))) = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  uint64_t v;
  __asm__ volatile("ld %0, 3(%1)" : "=r"(v) : "r"(bytes));
  CHECK_EQ(v, 0x0a09080706050403ul);
  __asm__ volatile("lw %0, 1(%1)" : "=r"(v) : "r"(bytes));
  CHECK_EQ(v, 0x04030201ul);
  __asm__ volatile("sh %0, 7(%1)" :: "r"(0xbbaaul), "r"(bytes) : "memory");
  CHECK_EQ(bytes[7], 0xaa);
  CHECK_EQ(bytes[8], 0xbb);
}

static void test_mepc_and_mstatus_on_trap(void) {
  /* mepc bit 0 is always clear (IALIGN = 16); QEMU 7 keeps it as written */
  uint64_t saved = csr_read(mepc);
  csr_write(mepc, 0x80001235ul);
  if (!running_on_qemu7()) CHECK_EQ(csr_read(mepc), 0x80001234ul);
  csr_write(mepc, saved);
  /* trap: MPIE <- MIE, MIE <- 0, MPP <- M; mret: MIE <- MPIE, MPIE <- 1, MPP <- U */
  csr_write(mie, 0);
  csr_set(mstatus, MSTATUS_MIE);
  expect_trap();
  __asm__ volatile("ecall" ::: "a7");
  uint64_t at_trap = m_expect.rec.status;
  CHECK_EQ(at_trap & MSTATUS_MIE, 0);
  CHECK_EQ(at_trap & MSTATUS_MPIE, MSTATUS_MPIE);
  CHECK_EQ(at_trap & MSTATUS_MPP, MSTATUS_MPP_M);
  uint64_t after = csr_read(mstatus);
  CHECK_EQ(after & MSTATUS_MIE, MSTATUS_MIE);
  CHECK_EQ(after & MSTATUS_MPIE, MSTATUS_MPIE);
  CHECK_EQ(after & MSTATUS_MPP, 0);
  csr_clear(mstatus, MSTATUS_MIE);
  expect_trap();
  __asm__ volatile("ecall" ::: "a7");
  CHECK_EQ(m_expect.rec.status & (MSTATUS_MIE | MSTATUS_MPIE), 0);
  CHECK_EQ(csr_read(mstatus) & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
}

/* --- lower modes --- */

static uint64_t do_ecall(uint64_t a) {
  __asm__ volatile("li a7, 0\necall" ::: "a7", "memory");
  return a + 1;
}
static uint64_t do_ebreak(uint64_t a) { __asm__ volatile("ebreak"); return a; }
static uint64_t do_illegal(uint64_t a) { __asm__ volatile("csrr t0, mstatus" ::: "t0"); return a; }
static uint64_t do_load_fault(uint64_t a) {
  uint64_t v;
  __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a));
  return 3;
}
static uint64_t do_wfi(uint64_t a) { __asm__ volatile("wfi"); return a; }
static uint64_t do_sret(uint64_t a) {
  __asm__ volatile("lla t0, 1f\ncsrw sepc, t0\nli t0, %0\ncsrs sstatus, t0\nsret\n1:" :: "i"(MSTATUS_SPP) : "t0");
  return a;
}
static uint64_t do_bare_sret(uint64_t a) { __asm__ volatile("sret"); return a; }
static uint64_t do_mret(uint64_t a) { __asm__ volatile("mret"); return a; }
static uint64_t do_satp(uint64_t a) { return csr_read(satp) + a; }
static uint64_t do_sfence(uint64_t a) { __asm__ volatile("sfence.vma" ::: "memory"); return a; }

static void expect_m_trap_from(unsigned mode, lower_fn fn, uint64_t arg, uint64_t cause) {
  expect_trap();
  run_in_mode(mode, fn, arg);
  if (m_expect.rec.count != 1 || m_expect.rec.cause != cause || m_expect.rec.prev_mode != mode) {
    put_str("  cause ");
    put_hex(m_expect.rec.cause);
    put_str(" prev mode ");
    put_hex(m_expect.rec.prev_mode);
    put_char('\n');
    fail_code(200 + (unsigned)cause);
  }
}

static void test_traps_from_lower_modes(void) {
  expect_m_trap_from(PRV_U, do_ecall, 0, CAUSE_USER_ECALL);
  CHECK_EQ(m_expect.rec.tval, 0);
  expect_m_trap_from(PRV_S, do_ecall, 0, CAUSE_SUPERVISOR_ECALL);
  expect_m_trap_from(PRV_U, do_ebreak, 0, CAUSE_BREAKPOINT);
  expect_m_trap_from(PRV_S, do_ebreak, 0, CAUSE_BREAKPOINT);
  expect_m_trap_from(PRV_U, do_illegal, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_m_trap_from(PRV_S, do_illegal, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_m_trap_from(PRV_U, do_load_fault, HOLE, CAUSE_LOAD_ACCESS);
  CHECK_EQ(m_expect.rec.tval, HOLE);
  /* privileged instructions */
  expect_m_trap_from(PRV_U, do_wfi, 0, CAUSE_ILLEGAL_INSTRUCTION);   /* WFI in U with S present */
  expect_m_trap_from(PRV_U, do_bare_sret, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_m_trap_from(PRV_S, do_mret, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_m_trap_from(PRV_U, do_sfence, 0, CAUSE_ILLEGAL_INSTRUCTION);
}

static void test_tvm_tw_tsr(void) {
  /* without the traps, S may use satp, sfence.vma, wfi (an interrupt is pending: no sleep) and sret */
  CHECK_EQ(run_in_mode(PRV_S, do_satp, 5), 5);
  CHECK_EQ(run_in_mode(PRV_S, do_sfence, 6), 6);
  /* a delegated SSIP, pending and enabled in sie but masked by SIE = 0:
   * wakes WFI without being taken */
  csr_write(mideleg, 1u << IRQ_S_SOFT);
  csr_write(mie, 1u << IRQ_S_SOFT);
  csr_set(mip, 1u << IRQ_S_SOFT);
  CHECK_EQ(run_in_mode(PRV_S, do_wfi, 7), 7);
  csr_clear(mip, 1u << IRQ_S_SOFT);
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  CHECK_EQ(run_in_mode(PRV_S, do_sret, 8), 8);

  csr_set(mstatus, MSTATUS_TVM);
  expect_m_trap_from(PRV_S, do_satp, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_m_trap_from(PRV_S, do_sfence, 0, CAUSE_ILLEGAL_INSTRUCTION);
  CHECK_EQ(csr_read(satp), 0);  /* M is not affected */
  csr_clear(mstatus, MSTATUS_TVM);
  csr_set(mstatus, MSTATUS_TW);
  expect_m_trap_from(PRV_S, do_wfi, 0, CAUSE_ILLEGAL_INSTRUCTION);
  csr_clear(mstatus, MSTATUS_TW);
  csr_set(mstatus, MSTATUS_TSR);
  expect_m_trap_from(PRV_S, do_sret, 0, CAUSE_ILLEGAL_INSTRUCTION);
  csr_clear(mstatus, MSTATUS_TSR);
}

/* --- delegation --- */

static uint64_t s_do_ecall_probe(uint64_t a) {
  /* S code: an ecall from S is not delegated (medeleg[9] = 0), goes to M */
  __asm__ volatile("li a7, 0\necall" ::: "a7", "memory");
  return a;
}

static void expect_s_trap_from(unsigned mode, lower_fn fn, uint64_t arg, uint64_t cause) {
  arm_trap(&s_expect);
  run_in_mode(mode, fn, arg);
  if (s_expect.rec.count != 1 || s_expect.rec.cause != cause || s_expect.rec.prev_mode != (mode == PRV_S)) {
    put_str("  S cause ");
    put_hex(s_expect.rec.cause);
    put_str(" count ");
    put_hex(s_expect.rec.count);
    put_char('\n');
    fail_code(220 + (unsigned)cause);
  }
}

static void test_delegation(void) {
  install_s_trap_vector();
  csr_write(medeleg, (1u << CAUSE_ILLEGAL_INSTRUCTION) | (1u << CAUSE_BREAKPOINT) | (1u << CAUSE_USER_ECALL) |
                         (1u << CAUSE_LOAD_ACCESS));
  CHECK_EQ(csr_read(medeleg) & 0x12c, 0x12c);
  expect_s_trap_from(PRV_U, do_ebreak, 0, CAUSE_BREAKPOINT);
  expect_s_trap_from(PRV_S, do_ebreak, 0, CAUSE_BREAKPOINT);
  expect_s_trap_from(PRV_U, do_illegal, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_s_trap_from(PRV_S, do_illegal, 0, CAUSE_ILLEGAL_INSTRUCTION);
  expect_s_trap_from(PRV_U, do_ecall, 0, CAUSE_USER_ECALL);
  expect_s_trap_from(PRV_S, do_load_fault, HOLE + 16, CAUSE_LOAD_ACCESS);
  CHECK_EQ(s_expect.rec.tval, HOLE + 16);
  CHECK_EQ(csr_read(scause), CAUSE_LOAD_ACCESS);
  /* sstatus at the S trap: SPIE <- SIE (0 here), SIE <- 0, SPP <- S */
  CHECK_EQ(s_expect.rec.status & (MSTATUS_SIE | MSTATUS_SPIE), 0);
  /* non-delegated causes still go to M */
  expect_m_trap_from(PRV_S, s_do_ecall_probe, 0, CAUSE_SUPERVISOR_ECALL);
  /* a delegated cause raised in M stays in M */
  expect_trap();
  __asm__ volatile("ebreak");
  CHECK_EQ(m_expect.rec.cause, CAUSE_BREAKPOINT);
  CHECK_EQ(s_expect.rec.count, 1);  /* unchanged since the last S trap */
  /* SIE set: SPIE records it, SIE clears, sret restores it */
  csr_set(sstatus, MSTATUS_SIE);
  expect_s_trap_from(PRV_S, do_ebreak, 0, CAUSE_BREAKPOINT);
  CHECK_EQ(s_expect.rec.status & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SPIE | MSTATUS_SPP);
  CHECK_EQ(csr_read(sstatus) & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SIE | MSTATUS_SPIE);
  csr_clear(sstatus, MSTATUS_SIE);
  csr_write(medeleg, 0);
}

/* --- sret into U and S --- */

/* U code reached by sret: records its own mode through an ecall to M. */
static uint64_t u_target(uint64_t a) {
  __asm__ volatile("li a7, 0\necall" ::: "a7", "memory");
  return a;
}

/* S code: sret to `target` with SPP = spp; the target's return lands on the
 * trampoline that ends run_in_mode. */
static uint64_t s_sret_to(uint64_t spp) {
  extern char lower_return_u[], lower_return_s[];
  uint64_t target = (uint64_t)u_target;
  uint64_t ret = spp ? (uint64_t)lower_return_s : (uint64_t)lower_return_u;
  if (spp)
    csr_set(sstatus, MSTATUS_SPP);
  else
    csr_clear(sstatus, MSTATUS_SPP);
  csr_set(sstatus, MSTATUS_SPIE);
  csr_write(sepc, target);
  register uint64_t a0 __asm__("a0") = 42;
  register uint64_t ra __asm__("ra") = ret;
  __asm__ volatile("sret" :: "r"(a0), "r"(ra));
  __builtin_unreachable();
}

static void test_sret_modes(void) {
  expect_trap();
  CHECK_EQ(run_in_mode(PRV_S, s_sret_to, 0), 42);
  CHECK_EQ(m_expect.rec.cause, CAUSE_USER_ECALL);
  /* after sret: SIE <- SPIE (1), SPIE <- 1, SPP <- U */
  CHECK_EQ(m_expect.rec.status & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SIE | MSTATUS_SPIE);
  csr_clear(sstatus, MSTATUS_SIE);
  expect_trap();
  CHECK_EQ(run_in_mode(PRV_S, s_sret_to, 1), 42);
  CHECK_EQ(m_expect.rec.cause, CAUSE_SUPERVISOR_ECALL);
  csr_clear(sstatus, MSTATUS_SIE);
}

int main(void) {
  test_ecall_breakpoint_illegal_m();
  test_access_faults();
  test_misaligned_data();
  test_mepc_and_mstatus_on_trap();
  test_traps_from_lower_modes();
  test_tvm_tw_tsr();
  test_delegation();
  test_sret_modes();
  return 0;
}
