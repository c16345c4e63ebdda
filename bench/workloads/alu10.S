/* Ten dependent-ish ALU operations plus loop control: 12 per iteration. */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  li a0, ITERS
  li a1, 1
  li a2, 3
  li a3, 5
loop:
  add a1, a1, a2
  xor a2, a2, a1
  slli a3, a1, 3
  sub a4, a3, a2
  or a5, a4, a1
  and a6, a5, a3
  srli a7, a6, 2
  addw t2, a7, a5
  sltu t3, t2, a4
  add a2, a2, t3
  addi a0, a0, -1
  bnez a0, loop
  EXIT_PASS
