/* Zifencei: code written by stores runs as written after fence.i - freshly
 * generated code, code patched after it already ran many times (so any
 * decoded copy must be dropped), 16-bit encodings, and a patch to the very
 * page the running code is on. */
#include "rt.h"

static uint32_t code[64] __attribute__((aligned(64)));

#define ADDI_A0_A0(imm) (0x00050513u | ((uint32_t)(imm) << 20))  /* addi a0, a0, imm */
#define LI_A0(imm) (0x00000513u | ((uint32_t)(imm) << 20))        /* addi a0, zero, imm */
#define RET 0x00008067u                                           /* jalr zero, 0(ra) */

typedef uint64_t (*fn0)(uint64_t);

static uint64_t call(uint64_t arg) { return ((fn0)(uint64_t)code)(arg); }

static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

/* In .text, next to the running code: returns 10, patched at run time. */
__asm__(".text\n.option push\n.option norvc\n.align 2\n"
        "patch_me: addi a0, zero, 10\n ret\n.option pop\n");
extern uint32_t patch_me[];

int main(void) {
  code[0] = LI_A0(1);
  code[1] = RET;
  fence_i();
  CHECK_EQ(call(0), 1);
  code[0] = LI_A0(2);
  fence_i();
  CHECK_EQ(call(0), 2);

  /* run a body many times, then patch it */
  code[0] = ADDI_A0_A0(1);
  code[1] = RET;
  fence_i();
  uint64_t sum = 0;
  for (int i = 0; i < 1000; i++) sum = call(sum);
  CHECK_EQ(sum, 1000);
  code[0] = ADDI_A0_A0(-3);
  fence_i();
  for (int i = 0; i < 10; i++) sum = call(sum);
  CHECK_EQ(sum, 970);

  /* grow the function: more instructions where there was a return */
  code[1] = ADDI_A0_A0(100);
  code[2] = RET;
  fence_i();
  CHECK_EQ(call(0), 97);

  /* 16-bit encodings: c.li a0, 3 ; c.addi a0, 4 ; c.jr ra */
  volatile uint16_t* half = (volatile uint16_t*)code;
  half[0] = 0x450d;
  half[1] = 0x0511;
  half[2] = 0x8082;
  fence_i();
  CHECK_EQ(call(0), 7);
  /* an instruction straddling a 4-byte boundary: c.nop then a 32-bit li */
  half[0] = 0x0001;
  half[1] = (uint16_t)LI_A0(42);
  half[2] = (uint16_t)(LI_A0(42) >> 16);
  half[3] = 0x8082;
  fence_i();
  CHECK_EQ(call(0), 42);

  /* code in .text that has already run */
  CHECK_EQ(((fn0)(uint64_t)patch_me)(0), 10);
  patch_me[0] = LI_A0(11);
  fence_i();
  CHECK_EQ(((fn0)(uint64_t)patch_me)(0), 11);
  return 0;
}
