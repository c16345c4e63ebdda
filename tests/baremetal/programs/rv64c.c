/* RV64C: every compressed instruction, written with the assembler's c.*
 * mnemonics so each really is a 16-bit encoding, and checked through the
 * effect of the 32-bit instruction it expands to. Operands go in a0/a1
 * (x10/x11, reachable by the 3-bit register fields); a2..a5 are scratch. */
#include "rt.h"

#define RVC(body) ".option push\n.option rvc\n" body "\n.option pop\n"
/* Runs body with a0 = a, a1 = b and returns a0. */
#define C2(body, a, b) ({ register uint64_t r0_ __asm__("a0") = (uint64_t)(a); \
  register uint64_t r1_ __asm__("a1") = (uint64_t)(b); \
  __asm__ volatile(RVC(body) : "+r"(r0_), "+r"(r1_) :: "a2", "a3", "a4", "a5", "fa0", "fa1", "memory"); r0_; })

static void test_integer_immediates(void) {
  CHECK_EQ(C2("c.addi a0, -32", 10, 0), (uint64_t)-22);
  CHECK_EQ(C2("c.addi a0, 31", 10, 0), 41);
  CHECK_EQ(C2("c.addiw a0, 1", 0x7fffffff, 0), 0xffffffff80000000);
  CHECK_EQ(C2("c.addiw a0, 0", 0x1234567887654321, 0), 0xffffffff87654321);  /* sext.w */
  CHECK_EQ(C2("c.li a0, -32", 0, 0), (uint64_t)-32);
  CHECK_EQ(C2("c.li a0, 31", 0, 0), 31);
  CHECK_EQ(C2("c.lui a0, 0x1f", 0, 0), 0x1f000);
  CHECK_EQ(C2("c.lui a0, 0xfffff", 0, 0), 0xfffffffffffff000);
  CHECK_EQ(C2("c.lui a0, 0xfffe0", 0, 0), 0xfffffffffffe0000);
  CHECK_EQ(C2("c.slli a0, 63", 3, 0), 0x8000000000000000);
  CHECK_EQ(C2("c.slli a0, 1", 0x4000000000000001, 0), 0x8000000000000002);
  CHECK_EQ(C2("c.srli a0, 63", 0x8000000000000000, 0), 1);
  CHECK_EQ(C2("c.srli a0, 4", 0xf0, 0), 0xf);
  CHECK_EQ(C2("c.srai a0, 63", 0x8000000000000000, 0), 0xffffffffffffffff);
  CHECK_EQ(C2("c.srai a0, 4", 0x8000000000000000, 0), 0xf800000000000000);
  CHECK_EQ(C2("c.andi a0, -32", 0xffff, 0), 0xffe0);
  CHECK_EQ(C2("c.andi a0, 15", 0xffff, 0), 0xf);
  CHECK_EQ(C2("c.nop\nc.nop", 77, 0), 77);
}

static void test_integer_registers(void) {
  CHECK_EQ(C2("c.mv a0, a1", 1, 0x1234), 0x1234);
  CHECK_EQ(C2("c.add a0, a1", 5, (uint64_t)-7), (uint64_t)-2);
  CHECK_EQ(C2("c.sub a0, a1", 5, 7), (uint64_t)-2);
  CHECK_EQ(C2("c.xor a0, a1", 0xff00, 0x0ff0), 0xf0f0);
  CHECK_EQ(C2("c.or a0, a1", 0xff00, 0x0ff0), 0xfff0);
  CHECK_EQ(C2("c.and a0, a1", 0xff00, 0x0ff0), 0x0f00);
  CHECK_EQ(C2("c.addw a0, a1", 0x7fffffff, 1), 0xffffffff80000000);
  CHECK_EQ(C2("c.addw a0, a1", 0xffffffff00000001, 0x1), 2);
  CHECK_EQ(C2("c.subw a0, a1", 0, 1), 0xffffffffffffffff);
  CHECK_EQ(C2("c.subw a0, a1", 0x80000000, 1), 0x7fffffff);
}

static void test_stack_pointer_forms(void) {
  /* c.addi16sp / c.addi4spn: sp-relative arithmetic. */
  CHECK_EQ(C2("mv a2, sp\nc.addi16sp sp, -496\nmv a0, sp\nc.addi16sp sp, 496\nsub a0, a2, a0", 0, 0), 496);
  CHECK_EQ(C2("mv a2, sp\nc.addi16sp sp, 64\nmv a0, sp\nc.addi16sp sp, -64\nsub a0, a0, a2", 0, 0), 64);
  CHECK_EQ(C2("c.addi4spn a0, sp, 1020\nsub a0, a0, sp", 0, 0), 1020);
  CHECK_EQ(C2("c.addi4spn a0, sp, 4\nsub a0, a0, sp", 0, 0), 4);
  /* sp-relative loads and stores, with the largest offsets the forms reach. */
  CHECK_EQ(C2("addi sp, sp, -512\n"
              "c.sdsp a1, 504(sp)\nc.ldsp a0, 504(sp)\n"
              "addi sp, sp, 512", 0, 0x1122334455667788), 0x1122334455667788);
  CHECK_EQ(C2("addi sp, sp, -512\n"
              "c.swsp a1, 252(sp)\nc.lwsp a0, 252(sp)\n"
              "addi sp, sp, 512", 0, 0x80000001), 0xffffffff80000001);  /* c.lwsp sign-extends */
  CHECK_EQ(C2("addi sp, sp, -512\n"
              "c.sdsp a1, 0(sp)\nc.fldsp fa0, 0(sp)\nc.fsdsp fa0, 8(sp)\nc.ldsp a0, 8(sp)\n"
              "addi sp, sp, 512", 0, 0x400921fb54442d18), 0x400921fb54442d18);
}

static uint64_t buffer[32];

static void test_register_based_memory(void) {
  uint64_t base = (uint64_t)buffer;
  CHECK_EQ(C2("c.sd a0, 248(a1)\nli a0, 0\nc.ld a0, 248(a1)", 0xfedcba9876543210, base), 0xfedcba9876543210);
  CHECK_EQ(buffer[31], 0xfedcba9876543210);
  CHECK_EQ(C2("c.sw a0, 124(a1)\nli a0, 0\nc.lw a0, 124(a1)", 0x00000000f0000001, base), 0xfffffffff0000001);
  CHECK_EQ(C2("c.sw a0, 0(a1)\nli a0, 0\nc.lw a0, 0(a1)", 0x7fffffff, base), 0x7fffffff);
  buffer[2] = 0x3ff0000000000000;  /* 1.0 */
  CHECK_EQ(C2("c.fld fa0, 16(a1)\nc.fsd fa0, 248(a1)\nc.ld a0, 248(a1)", 0, base), 0x3ff0000000000000);
}

static void test_control_transfer(void) {
  /* c.j skips the li. */
  CHECK_EQ(C2("li a0, 1\nc.j 1f\nli a0, 2\n1:", 0, 0), 1);
  /* c.jr jumps to rs1. */
  CHECK_EQ(C2("li a0, 1\nlla a2, 1f\nc.jr a2\nli a0, 2\n1:", 0, 0), 1);
  /* c.jalr links pc + 2. */
  CHECK_EQ(C2("lla a2, 1f\n2: c.jalr a2\nli a0, 2\n1: lla a3, 2b\nsub a0, ra, a3", 0, 0), 2);
  /* c.beqz / c.bnez, both ways, forward and backward. */
  CHECK_EQ(C2("c.beqz a1, 1f\nli a0, 0\n1:", 1, 0), 1);
  CHECK_EQ(C2("c.beqz a1, 1f\nli a0, 0\n1:", 1, 5), 0);
  CHECK_EQ(C2("c.bnez a1, 1f\nli a0, 0\n1:", 1, 5), 1);
  CHECK_EQ(C2("c.bnez a1, 1f\nli a0, 0\n1:", 1, 0), 0);
  /* count down with a backward c.bnez: a0 counts iterations */
  CHECK_EQ(C2("li a0, 0\n1: c.addi a0, 1\nc.addi a1, -1\nc.bnez a1, 1b", 0, 7), 7);
  CHECK_EQ(C2("li a0, 0\nc.j 2f\n1: c.li a0, 9\nc.j 3f\n2: c.beqz a1, 1b\n3:", 0, 0), 9);
}

static void test_traps(void) {
  expect_trap();
  __asm__ volatile(RVC("1: c.ebreak"));
  CHECK_EQ(m_expect.rec.count, 1);
  CHECK_EQ(m_expect.rec.cause, CAUSE_BREAKPOINT);
  /* c.illegal: the all-zero halfword is reserved. mtval is 0 either way
   * (0 or the instruction bits, which are 0). */
  expect_trap();
  __asm__ volatile(".2byte 0x0000");
  CHECK_EQ(m_expect.rec.count, 1);
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  CHECK_EQ(m_expect.rec.tval, 0);
  /* Reserved encodings: c.addi4spn with a zero immediate, c.lui with a zero
   * immediate, c.jr with rs1 = x0. */
  expect_trap();
  __asm__ volatile(".2byte 0x0010");  /* c.addi4spn a2(x12), sp, 0: nzuimm = 0 */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile(".2byte 0x6501");  /* c.lui a0, 0: nzimm = 0 */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile(".2byte 0x8002");  /* c.jr x0 */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
}

int main(void) {
  test_integer_immediates();
  test_integer_registers();
  test_stack_pointer_forms();
  test_register_based_memory();
  test_control_transfer();
  test_traps();
  return 0;
}
