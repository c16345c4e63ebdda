/* Indirect call and return: jalr through a register to a tiny function.
   5 instructions per iteration (jalr, addi, ret, addi, bnez). */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  li a0, ITERS
  la s0, func
loop:
  jalr ra, 0(s0)
  addi a0, a0, -1
  bnez a0, loop
  EXIT_PASS
func:
  addi a1, a1, 1
  ret
