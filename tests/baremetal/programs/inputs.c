/* A program whose course depends on every kind of outside input the machine
 * takes without devices: the time it reads, the timer interrupts that time
 * produces, and console bytes. It always passes; what it computes on the way
 * (and so the machine's memory) differs with its inputs. The record/replay
 * tests run it with inputs and check that a replay reproduces every state. */
#include "rt.h"

static volatile uint64_t ticks;
static volatile uint64_t mix = 0x9e3779b97f4a7c15ull;
static uint64_t history[512];

static void arm_timer(uint64_t delta) { mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + delta); }

static int on_interrupt(struct trap_frame* f, uint64_t cause) {
  (void)f;
  if (cause != ((1ull << 63) | 7)) return 0;
  ticks = ticks + 1;
  mix = (mix ^ csr_read(time)) * 0x100000001b3ull;
  arm_timer(50 + (mix & 0xff));
  return 1;
}

int main(void) {
  m_hook = on_interrupt;
  arm_timer(100);
  csr_write(mie, 1u << 7);
  csr_write(mstatus, csr_read(mstatus) | 8); /* MIE */
  for (uint64_t i = 0; i < 200000; ++i) {
    uint64_t t = csr_read(time);
    if ((*(volatile uint8_t*)(UART_BASE + 5)) & 1) mix = (mix ^ *(volatile uint8_t*)UART_BASE) * 31;
    mix += t >> 3;
    history[(mix >> 7) % 512] += t;
    if ((i & 0xffff) == 0) put_char('.');
  }
  csr_write(mstatus, csr_read(mstatus) & ~8ull);
  put_str(" ticks ");
  put_dec(ticks);
  put_str("\n");
  CHECK(ticks > 0);
  pass();
  return 0;
}
