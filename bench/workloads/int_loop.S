/* Tight integer loop: 2 instructions per iteration. */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  li a0, ITERS
loop:
  addi a0, a0, -1
  bnez a0, loop
  EXIT_PASS
