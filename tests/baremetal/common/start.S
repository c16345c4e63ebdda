/* Reset entry: one hart, M-mode, a0 = hartid, a1 = DTB. Sets up PMP (so S
 * and U may access memory at all), stacks, the M trap vector, FS and .bss,
 * then calls main(); a zero return is PASS. */
#define RT_ASM
  .section .text.start, "ax"
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  /* A machine without PMP may trap on these CSRs: land just past them. */
  la t0, 1f
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0          /* NAPOT covering the whole address space */
  li t0, 0x1f                /* R W X, A = NAPOT */
  csrw pmpcfg0, t0
  .align 2
1:
  la t0, trap_entry_m
  csrw mtvec, t0
  la sp, __stack_top
  la t0, __mtrap_stack_top
  csrw mscratch, t0
  la t0, __strap_stack_top
  csrw sscratch, t0
  csrw medeleg, zero
  csrw mideleg, zero
  csrw mie, zero
  csrw satp, zero
  li t0, (1 << 13)           /* FS = Initial: FP instructions are legal */
  csrs mstatus, t0
  csrw fcsr, zero
  la t0, __bss_start
  la t1, __bss_end
2:
  bgeu t0, t1, 3f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 2b
3:
  call main
  bnez a0, 4f
  call pass
4:
  call fail_code
park:
  wfi
  j park
