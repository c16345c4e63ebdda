/* A chain of dependent fmadd.d: 4 per iteration plus loop control (6). */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  li t0, 0x6000               /* mstatus.FS = dirty: enable the FPU */
  csrs mstatus, t0
  li a0, ITERS
  la t1, consts
  fld f1, 0(t1)
  fld f2, 8(t1)
  fld f3, 16(t1)
  fmv.d f0, f3
loop:
  fmadd.d f0, f0, f1, f2
  fmadd.d f0, f0, f1, f2
  fmadd.d f0, f0, f1, f2
  fmadd.d f0, f0, f1, f2
  addi a0, a0, -1
  bnez a0, loop
  EXIT_PASS
  .data
  .balign 8
consts: .double 0.999999, 0.000001, 1.0
