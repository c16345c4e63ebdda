/* The guest for the pair tests: a small service that lives on outside input.
 * A 1 ms timer (guest time) drives it; each tick folds the time it reads into
 * a table, so its memory depends on every Time input; every 100 ticks it
 * prints "tick N"; each console byte it reads is echoed as "echo C at N";
 * 'q' powers it off with PASS. Between ticks it sleeps in WFI, so a live VM
 * running it idles, and it never ends by itself: a test can kill either side
 * of a pair at any moment and watch the survivor carry on. */
#include "rt.h"

#define TICK_MTIME 10000ull /* 1 ms at the 10 MHz timebase */

static volatile uint64_t ticks;
static uint64_t table[1024];

static void arm_timer(void) { mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + TICK_MTIME); }

static int on_interrupt(struct trap_frame* f, uint64_t cause) {
  (void)f;
  if (cause != (CAUSE_INTERRUPT | IRQ_M_TIMER)) return 0;
  ticks = ticks + 1;
  uint64_t t = csr_read(time);
  table[(t >> 4) % 1024] ^= t * 0x100000001b3ull + ticks;
  arm_timer();
  return 1;
}

static void serve_console(void) {
  while ((*(volatile uint8_t*)(UART_BASE + 5)) & 1) {
    char c = (char)*(volatile uint8_t*)UART_BASE;
    if (c == 'q') {
      put_str("bye at ");
      put_dec(ticks);
      put_char('\n');
      pass();
    }
    if (c == '\n' || c == '\r') continue;
    put_str("echo ");
    put_char(c);
    put_str(" at ");
    put_dec(ticks);
    put_char('\n');
  }
}

int main(void) {
  m_hook = on_interrupt;
  put_str("ticker up\n");
  arm_timer();
  csr_write(mie, 1u << IRQ_M_TIMER);
  csr_write(mstatus, csr_read(mstatus) | MSTATUS_MIE);
  uint64_t printed = 0;
  for (;;) {
    __asm__ volatile("wfi");
    serve_console();
    uint64_t now = ticks;
    if (now / 100 != printed / 100) {
      printed = now;
      put_str("tick ");
      put_dec(now / 100);
      put_char('\n');
    }
  }
}
