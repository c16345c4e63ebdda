/* Zicsr and Zicntr: the six CSR instructions' read/write rules, illegal
 * accesses (read-only CSRs, CSRs above the current privilege, counters gated
 * by mcounteren/scounteren), the sstatus/sie/sip views, and exact counting
 * of retired instructions. */
#include "rt.h"

/* mscratch holds the trap stack; it is borrowed here with no trap possible
 * in between, and put back. */
static void test_csr_instructions(void) {
  uint64_t old, trap_stack = csr_read(mscratch);
  csr_write(mscratch, 0x1234);
  __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0f0ul));
  CHECK_EQ(old, 0x1234);
  CHECK_EQ(csr_read(mscratch), 0xf0f0);
  __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x000ful));
  CHECK_EQ(old, 0xf0f0);
  CHECK_EQ(csr_read(mscratch), 0xf0ff);
  __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x00f0ul));
  CHECK_EQ(old, 0xf0ff);
  CHECK_EQ(csr_read(mscratch), 0xf00f);
  __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
  CHECK_EQ(old, 0xf00f);
  CHECK_EQ(csr_read(mscratch), 31);
  __asm__ volatile("csrrci %0, mscratch, 5" : "=r"(old));
  CHECK_EQ(old, 31);
  CHECK_EQ(csr_read(mscratch), 26);
  __asm__ volatile("csrrsi %0, mscratch, 1" : "=r"(old));
  CHECK_EQ(old, 26);
  CHECK_EQ(csr_read(mscratch), 27);
  /* rd = x0 still writes; rs1 = x0 (or uimm 0) for rs/rc does not write */
  __asm__ volatile("csrrw x0, mscratch, %0" :: "r"(0x55ul));
  CHECK_EQ(csr_read(mscratch), 0x55);
  __asm__ volatile("csrrs %0, mscratch, x0\ncsrrc %0, mscratch, x0\ncsrrsi %0, mscratch, 0\ncsrrci %0, mscratch, 0"
                   : "=r"(old));
  CHECK_EQ(old, 0x55);
  CHECK_EQ(csr_read(mscratch), 0x55);
  /* full 64-bit values */
  csr_write(mscratch, 0x8000000000000001ul);
  old = csr_swap(mscratch, trap_stack);
  CHECK_EQ(old, 0x8000000000000001ul);
}

static void test_read_only_csrs(void) {
  /* Reads with rs1 = x0 / uimm = 0 are fine on read-only CSRs. */
  uint64_t v;
  __asm__ volatile("csrrs %0, mhartid, x0" : "=r"(v));
  CHECK_EQ(v, 0);
  __asm__ volatile("csrrsi %0, mvendorid, 0\ncsrrci %0, marchid, 0" : "=r"(v));
  /* Any write to a read-only CSR (number 0xC00-0xFFF) is illegal. */
  expect_trap();
  __asm__ volatile("csrw mhartid, %0" :: "r"(1ul));
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile("csrrsi x0, mimpid, 1");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile("csrw cycle, %0" :: "r"(0ul));
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile("csrrci x0, instret, 1");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  /* mtval holds the faulting instruction's bits (or 0) */
  expect_trap();
  __asm__ volatile(".option push\n.option norvc\ncsrw time, x0\n.option pop");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  CHECK(m_expect.rec.tval == 0 || m_expect.rec.tval == 0xc0101073);
  /* A CSR number that does not exist */
  expect_trap();
  __asm__ volatile("csrr %0, 0x7ff" : "=r"(v));
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
}

/* --- lower privilege --- */
static uint64_t touch_machine_csrs(uint64_t arg) {
  (void)arg;
  uint64_t v;
  __asm__ volatile("csrr %0, mstatus" : "=r"(v));
  __asm__ volatile("csrw mscratch, %0" :: "r"(v));
  __asm__ volatile("csrr %0, mhartid" : "=r"(v));
  return 7;
}

static uint64_t touch_supervisor_csrs(uint64_t arg) {
  (void)arg;
  uint64_t v;
  __asm__ volatile("csrr %0, sstatus" : "=r"(v));
  __asm__ volatile("csrw sscratch, %0" :: "r"(v));
  __asm__ volatile("csrr %0, satp" : "=r"(v));
  return 9;
}

static uint64_t read_sscratch(uint64_t arg) {
  (void)arg;
  return csr_read(sscratch);
}

static uint64_t count_traps;
static int count_illegal_hook(struct trap_frame* f, uint64_t cause) {
  if (cause != CAUSE_ILLEGAL_INSTRUCTION) return 0;
  count_traps++;
  f->pc += insn_length(f->pc);
  return 1;
}

static void test_privilege(void) {
  m_hook = count_illegal_hook;
  count_traps = 0;
  CHECK_EQ(run_in_mode(PRV_S, touch_machine_csrs, 0), 7);
  CHECK_EQ(count_traps, 3);
  count_traps = 0;
  CHECK_EQ(run_in_mode(PRV_U, touch_supervisor_csrs, 0), 9);
  CHECK_EQ(count_traps, 3);
  count_traps = 0;
  CHECK_EQ(run_in_mode(PRV_U, touch_machine_csrs, 0), 7);
  CHECK_EQ(count_traps, 3);
  m_hook = 0;
  /* S-mode may use its own CSRs */
  csr_write(sscratch, 0x77);
  CHECK_EQ(run_in_mode(PRV_S, read_sscratch, 0), 0x77);
  csr_write(sscratch, (uint64_t)0);
}

static uint64_t read_cycle(uint64_t a) { (void)a; uint64_t v; __asm__ volatile("rdcycle %0" : "=r"(v)); return v; }
static uint64_t read_time(uint64_t a) { (void)a; uint64_t v; __asm__ volatile("rdtime %0" : "=r"(v)); return v; }
static uint64_t read_instret(uint64_t a) { (void)a; uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }

/* Runs a counter read in `mode` and reports whether it trapped. */
static int counter_traps(unsigned mode, lower_fn fn) {
  m_hook = count_illegal_hook;
  count_traps = 0;
  run_in_mode(mode, fn, 0);
  m_hook = 0;
  return count_traps != 0;
}

static void test_counter_enables(void) {
  const lower_fn readers[3] = {read_cycle, read_time, read_instret};  /* bits 0, 1, 2 */
  csr_write(scounteren, 0);
  for (unsigned bit = 0; bit < 3; bit++) {
    csr_write(mcounteren, 0);
    CHECK(counter_traps(PRV_S, readers[bit]));
    CHECK(counter_traps(PRV_U, readers[bit]));
    csr_write(mcounteren, 1u << bit);
    CHECK(!counter_traps(PRV_S, readers[bit]));
    CHECK(counter_traps(PRV_U, readers[bit]));   /* U also needs scounteren */
    csr_write(scounteren, 1u << bit);
    CHECK(!counter_traps(PRV_U, readers[bit]));
    csr_write(mcounteren, 0);
    CHECK(counter_traps(PRV_U, readers[bit]));   /* and mcounteren */
    csr_write(scounteren, 0);
  }
  /* the other bits do not open a given counter */
  csr_write(mcounteren, 0x6);
  CHECK(counter_traps(PRV_S, read_cycle));
  csr_write(mcounteren, 0);
}

static void test_counters(void) {
  uint64_t a, b;
  /* instret: the first read's own instruction plus N = 10 in between */
  __asm__ volatile(".option push\n.option norvc\n"
                   "csrr %0, instret\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\nnop\ncsrr %1, instret\n"
                   ".option pop" : "=&r"(a), "=&r"(b));
  CHECK_EQ(b - a, 11);
  __asm__ volatile("csrr %0, minstret\naddi x0, x0, 0\ncsrr %1, minstret" : "=&r"(a), "=&r"(b));
  CHECK_EQ(b - a, 2);
  /* cycle and time move forward */
  __asm__ volatile("rdcycle %0" : "=r"(a));
  for (volatile int i = 0; i < 1000; i++) {
  }
  __asm__ volatile("rdcycle %0" : "=r"(b));
  CHECK(b > a);
  __asm__ volatile("rdtime %0" : "=r"(a));
  for (volatile int i = 0; i < 100000; i++) {
  }
  __asm__ volatile("rdtime %0" : "=r"(b));
  CHECK(b > a);
  /* time equals the CLINT's mtime (read in order: CSR <= MMIO) */
  __asm__ volatile("rdtime %0" : "=r"(a));
  b = mmio_read64(CLINT_MTIME);
  CHECK(b >= a);
  /* minstret is writable in M */
  csr_write(minstret, 1000);
  a = csr_read(minstret);
  CHECK(a >= 1000 && a <= 1002);
}

static void test_supervisor_views(void) {
  /* sstatus shows the S fields of mstatus */
  csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM);
  csr_set(sstatus, MSTATUS_SIE | MSTATUS_SUM);
  CHECK_EQ(csr_read(mstatus) & (MSTATUS_SIE | MSTATUS_SUM), MSTATUS_SIE | MSTATUS_SUM);
  csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SUM);
  CHECK_EQ(csr_read(sstatus) & (MSTATUS_SIE | MSTATUS_SUM), 0);
  /* M-only fields are invisible and unwritable through sstatus */
  csr_set(mstatus, MSTATUS_MIE | MSTATUS_MPRV);
  CHECK_EQ(csr_read(sstatus) & (MSTATUS_MIE | MSTATUS_MPRV | MSTATUS_MPP), 0);
  csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPRV);
  csr_set(sstatus, MSTATUS_MIE);
  CHECK_EQ(csr_read(mstatus) & MSTATUS_MIE, 0);
  /* sie/sip: only delegated interrupts show */
  csr_write(mideleg, 0);
  csr_write(mie, (1u << IRQ_S_SOFT) | (1u << IRQ_S_TIMER));
  CHECK_EQ(csr_read(sie), 0);
  csr_write(mideleg, (1u << IRQ_S_SOFT) | (1u << IRQ_S_TIMER) | (1u << IRQ_S_EXT));
  CHECK_EQ(csr_read(sie), (1u << IRQ_S_SOFT) | (1u << IRQ_S_TIMER));
  csr_write(sie, 1u << IRQ_S_EXT);
  CHECK_EQ(csr_read(mie), 1u << IRQ_S_EXT);
  csr_write(mie, 0);
  /* SSIP is writable through sip when delegated */
  csr_set(sip, 1u << IRQ_S_SOFT);
  CHECK_EQ(csr_read(mip) & (1u << IRQ_S_SOFT), 1u << IRQ_S_SOFT);
  csr_clear(mip, 1u << IRQ_S_SOFT);
  CHECK_EQ(csr_read(sip) & (1u << IRQ_S_SOFT), 0);
  csr_write(mideleg, 0);
}

int main(void) {
  test_csr_instructions();
  test_read_only_csrs();
  test_privilege();
  test_counter_enables();
  test_counters();
  test_supervisor_views();
  return 0;
}
