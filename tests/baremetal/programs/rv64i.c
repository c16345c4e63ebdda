/* RV64I base integer instructions: every opcode, with the edge cases the
 * spec calls out (sign extension of W results, 6-bit shift amounts, 12-bit
 * sign-extended immediates, jalr clearing bit 0, signed vs unsigned
 * compares). Expected values are worked out from the ISA manual. */
#include "insn.h"
#include "rt.h"

static void test_arith(void) {
  CHECK_EQ(OP_RR("add", 5, 7), 12);
  CHECK_EQ(OP_RR("add", 0xffffffffffffffff, 1), 0);  /* wraps */
  CHECK_EQ(OP_RR("sub", 5, 7), 0xfffffffffffffffe);
  CHECK_EQ(OP_RR("sub", 0x8000000000000000, 1), 0x7fffffffffffffff);
  CHECK_EQ(OP_RI("addi", 10, -2048), 0xfffffffffffff80a);
  CHECK_EQ(OP_RI("addi", 10, 2047), 2057);
  /* W forms: 32-bit result, sign-extended to 64 bits; upper input bits ignored. */
  CHECK_EQ(OP_RR("addw", 0x7fffffff, 1), 0xffffffff80000000);
  CHECK_EQ(OP_RR("addw", 0x1234567800000001, 0x00000000ffffffff), 0);
  CHECK_EQ(OP_RR("subw", 0, 1), 0xffffffffffffffff);
  CHECK_EQ(OP_RR("subw", 0x80000000, 1), 0x7fffffff);
  CHECK_EQ(OP_RI("addiw", 0x7fffffff, 1), 0xffffffff80000000);
  CHECK_EQ(OP_RI("addiw", 0xffffffff00000005, -6), 0xffffffffffffffff);
  CHECK_EQ(OP_RI("addiw", 0x123456789, 0), 0x23456789);  /* sext.w */
}

static void test_shifts(void) {
  CHECK_EQ(OP_RR("sll", 1, 63), 0x8000000000000000);
  CHECK_EQ(OP_RR("sll", 1, 64), 1);      /* only the low 6 bits count */
  CHECK_EQ(OP_RR("sll", 3, 0x7f), 0x8000000000000000);
  CHECK_EQ(OP_RR("srl", 0x8000000000000000, 63), 1);
  CHECK_EQ(OP_RR("srl", 0x8000000000000000, 65), 0x4000000000000000);
  CHECK_EQ(OP_RR("sra", 0x8000000000000000, 63), 0xffffffffffffffff);
  CHECK_EQ(OP_RR("sra", 0x4000000000000000, 62), 1);
  CHECK_EQ(OP_RI("slli", 0xff, 56), 0xff00000000000000);
  CHECK_EQ(OP_RI("slli", 1, 63), 0x8000000000000000);
  CHECK_EQ(OP_RI("srli", 0xff00000000000000, 60), 0xf);
  CHECK_EQ(OP_RI("srli", 0xffffffffffffffff, 63), 1);
  CHECK_EQ(OP_RI("srai", 0xff00000000000000, 60), 0xffffffffffffffff);
  CHECK_EQ(OP_RI("srai", 0x7f00000000000000, 63), 0);
  CHECK_EQ(OP_RI("srai", 0x8000000000000000, 0), 0x8000000000000000);
  /* W shifts use 5-bit amounts and sign-extend the 32-bit result. */
  CHECK_EQ(OP_RR("sllw", 1, 31), 0xffffffff80000000);
  CHECK_EQ(OP_RR("sllw", 1, 32), 1);
  CHECK_EQ(OP_RR("sllw", 0xffffffff00000003, 1), 6);
  CHECK_EQ(OP_RR("srlw", 0xffffffff80000000, 31), 1);
  CHECK_EQ(OP_RR("srlw", 0x80000000, 0), 0xffffffff80000000);
  CHECK_EQ(OP_RR("srlw", 0xffffffff80000000, 1), 0x40000000);
  CHECK_EQ(OP_RR("sraw", 0x80000000, 31), 0xffffffffffffffff);
  CHECK_EQ(OP_RR("sraw", 0x0000000180000000, 4), 0xfffffffff8000000);
  CHECK_EQ(OP_RR("sraw", 0x40000000, 33), 0x20000000);
  CHECK_EQ(OP_RI("slliw", 3, 31), 0xffffffff80000000);
  CHECK_EQ(OP_RI("slliw", 0x12345678, 4), 0x23456780);
  CHECK_EQ(OP_RI("srliw", 0xffffffff80000000, 31), 1);
  CHECK_EQ(OP_RI("srliw", 0x80000000, 0), 0xffffffff80000000);
  CHECK_EQ(OP_RI("srliw", 0xfffffffff0000000, 4), 0x0f000000);
  CHECK_EQ(OP_RI("sraiw", 0x80000000, 31), 0xffffffffffffffff);
  CHECK_EQ(OP_RI("sraiw", 0x7ffffffff0000000, 4), 0xffffffffff000000);
}

static void test_compare_logic(void) {
  CHECK_EQ(OP_RR("slt", 0xffffffffffffffff, 0), 1);
  CHECK_EQ(OP_RR("slt", 0, 0xffffffffffffffff), 0);
  CHECK_EQ(OP_RR("slt", 3, 3), 0);
  CHECK_EQ(OP_RR("sltu", 0xffffffffffffffff, 0), 0);
  CHECK_EQ(OP_RR("sltu", 0, 0xffffffffffffffff), 1);
  CHECK_EQ(OP_RI("slti", 0xffffffffffffff00, -1), 1);
  CHECK_EQ(OP_RI("slti", 5, -1), 0);
  CHECK_EQ(OP_RI("sltiu", 5, -1), 1);   /* immediate sign-extends, then compares unsigned */
  CHECK_EQ(OP_RI("sltiu", 0xffffffffffffffff, -1), 0);
  CHECK_EQ(OP_RI("sltiu", 0, 1), 1);    /* seqz */
  CHECK_EQ(OP_RI("sltiu", 7, 1), 0);
  CHECK_EQ(OP_RR("and", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0x0f000f000f000f00);
  CHECK_EQ(OP_RR("or", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0xfff0fff0fff0fff0);
  CHECK_EQ(OP_RR("xor", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0xf0f0f0f0f0f0f0f0);
  CHECK_EQ(OP_RI("andi", 0x123456789abcdef0, -16), 0x123456789abcdef0);
  CHECK_EQ(OP_RI("andi", 0x123456789abcdef0, 0x7ff), 0x6f0);
  CHECK_EQ(OP_RI("ori", 0, -2048), 0xfffffffffffff800);
  CHECK_EQ(OP_RI("xori", 0x5555, -1), 0xffffffffffffaaaa);  /* not */
}

static void test_upper_immediates(void) {
  uint64_t v, here;
  __asm__ volatile(NORVC("lui %0, 0x80000") : "=r"(v));
  CHECK_EQ(v, 0xffffffff80000000);
  __asm__ volatile(NORVC("lui %0, 0x7ffff") : "=r"(v));
  CHECK_EQ(v, 0x7ffff000);
  __asm__ volatile(NORVC("lui %0, 0x12345\naddi %0, %0, 0x678") : "=r"(v));
  CHECK_EQ(v, 0x12345678);
  __asm__ volatile(NORVC("1: auipc %0, 0x12345\nlla %1, 1b") : "=r"(v), "=r"(here));
  CHECK_EQ(v, here + 0x12345000);
  __asm__ volatile(NORVC("1: auipc %0, 0x80000\nlla %1, 1b") : "=r"(v), "=r"(here));
  CHECK_EQ(v, here - 0x80000000ul);
  __asm__ volatile(NORVC("1: auipc %0, 0\nlla %1, 1b") : "=r"(v), "=r"(here));
  CHECK_EQ(v, here);
  /* Writes to x0 are discarded. */
  __asm__ volatile(NORVC("li x0, 5\nlui x0, 1\nmv %0, x0") : "=r"(v));
  CHECK_EQ(v, 0);
}

static uint8_t memory[32] __attribute__((aligned(16)));

static void test_loads_stores(void) {
  uint64_t base = (uint64_t)memory + 16, v;
  for (int i = 0; i < 32; i++) memory[i] = (uint8_t)(0x80 + i * 3);  /* 0x80 0x83 ... */
  /* memory[16..23] = 0xb0 0xb3 0xb6 0xb9 0xbc 0xbf 0xc2 0xc5 */
  __asm__ volatile(NORVC("lb %0, 0(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xffffffffffffffb0);
  __asm__ volatile(NORVC("lbu %0, 0(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xb0);
  __asm__ volatile(NORVC("lh %0, 2(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xffffffffffffb9b6);
  __asm__ volatile(NORVC("lhu %0, 2(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xb9b6);
  __asm__ volatile(NORVC("lw %0, 4(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xffffffffc5c2bfbc);
  __asm__ volatile(NORVC("lwu %0, 4(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xc5c2bfbc);
  __asm__ volatile(NORVC("ld %0, 0(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xc5c2bfbcb9b6b3b0);
  /* negative offsets: memory[0..7] = 0x80 0x83 0x86 0x89 0x8c 0x8f 0x92 0x95 */
  __asm__ volatile(NORVC("ld %0, -16(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0x95928f8c89868380);
  __asm__ volatile(NORVC("lb %0, -15(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0xffffffffffffff83);
  /* Positive values are not sign-extended into ones. */
  memory[8] = 0x7f;
  memory[9] = 0x12;
  __asm__ volatile(NORVC("lh %0, -8(%1)") : "=r"(v) : "r"(base));
  CHECK_EQ(v, 0x127f);

  uint64_t word = 0x1122334455667788;
  __asm__ volatile(NORVC("sd %1, 0(%0)") :: "r"(base), "r"(0ul) : "memory");
  __asm__ volatile(NORVC("sb %1, 0(%0)") :: "r"(base), "r"(word) : "memory");
  __asm__ volatile(NORVC("ld %0, 0(%1)") : "=r"(v) : "r"(base) : "memory");
  CHECK_EQ(v, 0x88);
  __asm__ volatile(NORVC("sh %1, 2(%0)") :: "r"(base), "r"(word) : "memory");
  __asm__ volatile(NORVC("ld %0, 0(%1)") : "=r"(v) : "r"(base) : "memory");
  CHECK_EQ(v, 0x77880088);
  __asm__ volatile(NORVC("sw %1, 4(%0)") :: "r"(base), "r"(word) : "memory");
  __asm__ volatile(NORVC("ld %0, 0(%1)") : "=r"(v) : "r"(base) : "memory");
  CHECK_EQ(v, 0x5566778877880088);
  __asm__ volatile(NORVC("sd %1, -8(%0)") :: "r"(base), "r"(word) : "memory");
  __asm__ volatile(NORVC("ld %0, -8(%1)") : "=r"(v) : "r"(base) : "memory");
  CHECK_EQ(v, word);
  CHECK_EQ(memory[8], 0x88);  /* little-endian */
  CHECK_EQ(memory[15], 0x11);
}

static void test_jumps(void) {
  uint64_t link, target, v;
  /* jal links the address of the next instruction. */
  __asm__ volatile(NORVC("jal %0, 1f\nli %1, 1\n1: lla %1, 1b") : "=&r"(link), "=&r"(target));
  CHECK_EQ(link + 4, target);
  /* jalr: target = (rs1 + imm) & ~1; an odd sum is not misaligned. */
  __asm__ volatile(NORVC("lla %1, 2f\naddi %1, %1, -3\nli %2, 0\njalr %0, 3(%1)\nli %2, 99\n2: nop")
                   : "=&r"(link), "=&r"(target), "=&r"(v));
  CHECK_EQ(v, 0);
  CHECK_EQ(link, target + 3 - 4);  /* target = 2f - 3, link = jalr + 4 = 2f - 4 */
  __asm__ volatile(NORVC("lla %1, 2f\nori %1, %1, 1\nli %2, 0\njalr %0, 0(%1)\nli %2, 99\n2: nop")
                   : "=&r"(link), "=&r"(target), "=&r"(v));
  CHECK_EQ(v, 0);
  /* rd == rs1: the target uses the old value. */
  __asm__ volatile(NORVC("lla %0, 2f\nmv %1, %0\njalr %0, 0(%0)\nli %0, 0\n2: nop")
                   : "=&r"(link), "=&r"(target));
  CHECK_EQ(link, target - 4);
  /* negative jalr offset */
  __asm__ volatile(NORVC("lla %1, 2f\naddi %1, %1, 8\nli %0, 0\njalr x0, -8(%1)\nli %0, 99\n2: nop")
                   : "=&r"(v), "=&r"(target));
  CHECK_EQ(v, 0);
}

/* Branch `op` on (a, b): 1 if taken. */
#define BRANCH(op, a, b) ({ uint64_t t_; \
  __asm__ volatile(NORVC("li %0, 1\n" op " %1, %2, 1f\nli %0, 0\n1:") \
                   : "=&r"(t_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); t_; })
/* The same, with the target before the branch (negative offset). */
#define BRANCH_BACK(op, a, b) ({ uint64_t t_; \
  __asm__ volatile(NORVC("li %0, 0\nj 2f\n1: li %0, 1\nj 3f\n2: " op " %1, %2, 1b\n3:") \
                   : "=&r"(t_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); t_; })

static void test_branches(void) {
  const uint64_t neg = 0xffffffffffffffff;
  CHECK_EQ(BRANCH("beq", 4, 4), 1);
  CHECK_EQ(BRANCH("beq", 4, 5), 0);
  CHECK_EQ(BRANCH("bne", 4, 5), 1);
  CHECK_EQ(BRANCH("bne", 4, 4), 0);
  CHECK_EQ(BRANCH("blt", neg, 0), 1);
  CHECK_EQ(BRANCH("blt", 0, neg), 0);
  CHECK_EQ(BRANCH("blt", 3, 3), 0);
  CHECK_EQ(BRANCH("bge", 3, 3), 1);
  CHECK_EQ(BRANCH("bge", 0, neg), 1);
  CHECK_EQ(BRANCH("bge", neg, 0), 0);
  CHECK_EQ(BRANCH("bltu", 0, neg), 1);
  CHECK_EQ(BRANCH("bltu", neg, 0), 0);
  CHECK_EQ(BRANCH("bltu", 7, 7), 0);
  CHECK_EQ(BRANCH("bgeu", neg, 0), 1);
  CHECK_EQ(BRANCH("bgeu", 7, 7), 1);
  CHECK_EQ(BRANCH("bgeu", 0, neg), 0);
  CHECK_EQ(BRANCH_BACK("beq", 1, 1), 1);
  CHECK_EQ(BRANCH_BACK("bne", 1, 1), 0);
  CHECK_EQ(BRANCH_BACK("blt", neg, 1), 1);
  CHECK_EQ(BRANCH_BACK("bgeu", 1, neg), 0);
  CHECK_EQ(BRANCH_BACK("bltu", 1, neg), 1);
  CHECK_EQ(BRANCH_BACK("bge", 1, neg), 1);
}

static void test_fences(void) {
  /* No architectural effect to observe in one hart; they must just retire. */
  __asm__ volatile(NORVC("fence\nfence rw, rw\nfence.tso\nfence i, o\nfence.i\nnop") ::: "memory");
}

int main(void) {
  test_arith();
  test_shifts();
  test_compare_logic();
  test_upper_immediates();
  test_loads_stores();
  test_jumps();
  test_branches();
  test_fences();
  return 0;
}
