/* Shared by the benchmark workloads: entry, exit through the SiFive test
   finisher (0x5555 = pass), and the iteration count (set with -DITERS=). */
#define FINISHER 0x100000
#ifndef ITERS
#define ITERS 50000000
#endif

.macro EXIT_PASS
  li t0, FINISHER
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
.endm
