/* The clone tests' busy guest: it never waits. It rewrites a 1 MiB working
 * set (256 pages) round and round, folding in the time it reads and a 1 ms
 * timer's ticks, so every run slice dirties every page of the set and its
 * memory depends on every Time input. Console bytes are echoed with the
 * tick count; 'q' powers it off with PASS. Pre-copy of this guest never
 * converges below the working set: the sender must stop on its own rules. */
#include "rt.h"

#define TICK_MTIME 10000ull
#define SET_PAGES 256
#define WORDS_PER_PAGE 512

static volatile uint64_t ticks;
static uint64_t working_set[SET_PAGES * WORDS_PER_PAGE];

static void arm_timer(void) { mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + TICK_MTIME); }

static int on_interrupt(struct trap_frame* f, uint64_t cause) {
  (void)f;
  if (cause != (CAUSE_INTERRUPT | IRQ_M_TIMER)) return 0;
  ticks = ticks + 1;
  arm_timer();
  return 1;
}

static void serve_console(void) {
  while ((*(volatile uint8_t*)(UART_BASE + 5)) & 1) {
    char c = (char)*(volatile uint8_t*)UART_BASE;
    if (c == 'q') pass();
    put_str("echo ");
    put_char(c);
    put_str(" at ");
    put_dec(ticks);
    put_char('\n');
  }
}

int main(void) {
  m_hook = on_interrupt;
  put_str("churn up\n");
  arm_timer();
  csr_write(mie, 1u << IRQ_M_TIMER);
  csr_write(mstatus, csr_read(mstatus) | MSTATUS_MIE);
  for (uint64_t i = 0;; ++i) {
    /* Consecutive iterations land on consecutive pages. */
    uint64_t page = i % SET_PAGES, word = (i / SET_PAGES) % WORDS_PER_PAGE;
    working_set[page * WORDS_PER_PAGE + word] += (i ^ ticks) + csr_read(time);
    if ((i & 0x3ff) == 0) serve_console();
  }
}
