/* RV64M: every multiply/divide instruction, including division by zero and
 * signed overflow (which never trap: the spec fixes the results), the high
 * halves with each signedness, and the W forms' sign extension. */
#include "insn.h"
#include "rt.h"

#define MIN64 0x8000000000000000ul
#define NEG1 0xfffffffffffffffful

static void test_multiply(void) {
  CHECK_EQ(OP_RR("mul", 7, 6), 42);
  CHECK_EQ(OP_RR("mul", NEG1, 5), (uint64_t)-5);
  CHECK_EQ(OP_RR("mul", 0x100000000, 0x100000000), 0);  /* low 64 bits only */
  CHECK_EQ(OP_RR("mul", 0x123456789, 0x10), 0x1234567890);
  CHECK_EQ(OP_RR("mulh", NEG1, NEG1), 0);                 /* (-1)(-1) = 1 */
  CHECK_EQ(OP_RR("mulh", MIN64, MIN64), 0x4000000000000000);
  CHECK_EQ(OP_RR("mulh", MIN64, 2), NEG1);                /* -2^64 */
  CHECK_EQ(OP_RR("mulh", 0x7fffffffffffffff, 2), 0);
  CHECK_EQ(OP_RR("mulh", NEG1, 1), NEG1);
  CHECK_EQ(OP_RR("mulhu", NEG1, NEG1), 0xfffffffffffffffe);
  CHECK_EQ(OP_RR("mulhu", 0x100000000, 0x100000000), 1);
  CHECK_EQ(OP_RR("mulhu", MIN64, 2), 1);
  CHECK_EQ(OP_RR("mulhsu", NEG1, NEG1), NEG1);            /* -1 * (2^64-1) */
  CHECK_EQ(OP_RR("mulhsu", 2, NEG1), 1);                  /* 2 * (2^64-1) */
  CHECK_EQ(OP_RR("mulhsu", (uint64_t)-2, 3), NEG1);       /* -6 */
  CHECK_EQ(OP_RR("mulhsu", MIN64, MIN64), 0xc000000000000000);  /* -2^63 * 2^63 = -2^126 */
  CHECK_EQ(OP_RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffe);
  CHECK_EQ(OP_RR("mulw", 0x100000003, 5), 15);            /* upper bits ignored */
  CHECK_EQ(OP_RR("mulw", 0x10000, 0x10000), 0);
  CHECK_EQ(OP_RR("mulw", 0xffffffff, 0xffffffff), 1);
}

static void test_divide(void) {
  CHECK_EQ(OP_RR("div", 20, 6), 3);
  CHECK_EQ(OP_RR("div", (uint64_t)-20, 6), (uint64_t)-3);   /* rounds toward zero */
  CHECK_EQ(OP_RR("div", 20, (uint64_t)-6), (uint64_t)-3);
  CHECK_EQ(OP_RR("rem", (uint64_t)-20, 6), (uint64_t)-2);   /* sign of the dividend */
  CHECK_EQ(OP_RR("rem", 20, (uint64_t)-6), 2);
  CHECK_EQ(OP_RR("divu", (uint64_t)-20, 6), 0x2aaaaaaaaaaaaaa7);  /* (2^64-20)/6 */
  CHECK_EQ(OP_RR("remu", (uint64_t)-20, 6), 2);
  /* Division by zero: quotient all ones, remainder the dividend. */
  CHECK_EQ(OP_RR("div", 1234, 0), NEG1);
  CHECK_EQ(OP_RR("div", (uint64_t)-1234, 0), NEG1);
  CHECK_EQ(OP_RR("divu", 1234, 0), NEG1);
  CHECK_EQ(OP_RR("rem", (uint64_t)-1234, 0), (uint64_t)-1234);
  CHECK_EQ(OP_RR("remu", 1234, 0), 1234);
  /* Signed overflow: quotient is the dividend, remainder zero. */
  CHECK_EQ(OP_RR("div", MIN64, NEG1), MIN64);
  CHECK_EQ(OP_RR("rem", MIN64, NEG1), 0);
  CHECK_EQ(OP_RR("divu", MIN64, NEG1), 0);
  CHECK_EQ(OP_RR("remu", MIN64, NEG1), MIN64);
}

static void test_divide_word(void) {
  CHECK_EQ(OP_RR("divw", 0xffffffff00000014, 6), 3);         /* upper bits ignored */
  CHECK_EQ(OP_RR("divw", 0xffffffec, 6), (uint64_t)-3);      /* -20 / 6 */
  CHECK_EQ(OP_RR("remw", 0xffffffec, 6), (uint64_t)-2);
  CHECK_EQ(OP_RR("divuw", 0xffffffec, 6), 0x2aaaaaa7);        /* (2^32-20)/6 */
  CHECK_EQ(OP_RR("remuw", 0xffffffec, 6), 2);
  CHECK_EQ(OP_RR("divuw", 0xfffffffe, 1), 0xfffffffffffffffe); /* result sign-extends */
  CHECK_EQ(OP_RR("remuw", 0x80000000, 0x80000001), 0xffffffff80000000);
  /* by zero */
  CHECK_EQ(OP_RR("divw", 77, 0x100000000), NEG1);             /* divisor's low word is 0 */
  CHECK_EQ(OP_RR("divuw", 77, 0), NEG1);
  CHECK_EQ(OP_RR("remw", 0x1234587654321, 0), 0x0000000087654321 | 0xffffffff00000000);
  CHECK_EQ(OP_RR("remuw", 0x80000000, 0), 0xffffffff80000000);
  CHECK_EQ(OP_RR("remuw", 0x7, 0), 7);
  /* overflow */
  CHECK_EQ(OP_RR("divw", 0x80000000, 0xffffffff), 0xffffffff80000000);
  CHECK_EQ(OP_RR("remw", 0x80000000, 0xffffffff), 0);
  CHECK_EQ(OP_RR("divw", 0x80000000, 1), 0xffffffff80000000);
}

int main(void) {
  test_multiply();
  test_divide();
  test_divide_word();
  return 0;
}
