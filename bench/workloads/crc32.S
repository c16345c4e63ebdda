/* Table-driven CRC-32 (reflected, poly 0xEDB88320) over a 4 KiB buffer.
   The table is built first; ITERS counts bytes processed. */
#include "common.h"
  .section .text.start
  .globl _start
_start:
  la s0, table
  li t0, 0                      /* build the 256-entry table */
  li t6, 0xEDB88320
build:
  mv t1, t0
  li t2, 8
bit:
  andi t3, t1, 1
  srli t1, t1, 1
  beqz t3, 2f
  xor t1, t1, t6
2:
  addi t2, t2, -1
  bnez t2, bit
  slli t4, t0, 2
  add t4, t4, s0
  sw t1, 0(t4)
  addi t0, t0, 1
  li t5, 256
  bne t0, t5, build

  li a0, ITERS / 4096
  li a3, -1                     /* crc */
  la s1, data
pass:
  mv a1, s1
  li a2, 4096
byte:
  lbu t0, 0(a1)
  xor t1, a3, t0
  andi t1, t1, 0xff
  slli t1, t1, 2
  add t1, t1, s0
  lwu t2, 0(t1)
  srli a3, a3, 8
  xor a3, a3, t2
  addi a1, a1, 1
  addi a2, a2, -1
  bnez a2, byte
  addi a0, a0, -1
  bnez a0, pass
  EXIT_PASS
  .bss
  .balign 4096
table: .space 1024
data: .space 4096
