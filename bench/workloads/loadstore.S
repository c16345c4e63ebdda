/* Load/add/store over a 64 KiB buffer, 8 bytes at a time:
   4 instructions per element + 2 per pass; ITERS counts elements. */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  li a0, ITERS / 8192          /* passes over 8192 doublewords */
  la s0, buffer
pass:
  mv a1, s0
  li a2, 8192
elem:
  ld t0, 0(a1)
  addi t0, t0, 7
  sd t0, 0(a1)
  addi a1, a1, 8
  addi a2, a2, -1
  bnez a2, elem
  addi a0, a0, -1
  bnez a0, pass
  EXIT_PASS
  .bss
  .balign 4096
buffer: .space 65536
