/* D extension: every double-precision instruction, rounding modes, flags,
 * canonical NaNs, fmin/fmax, saturating conversions to each integer type,
 * conversions to and from single (with NaN-boxing), fclass, sign injection
 * and moves. Encodings are IEEE-754 binary64 written out in hex. */
#include "fp.h"
#include "rt.h"

#define ONE 0x3ff0000000000000ul
#define TWO 0x4000000000000000ul
#define THREE 0x4008000000000000ul
#define HALF 0x3fe0000000000000ul
#define MINUS_ONE 0xbff0000000000000ul
#define PZERO 0x0000000000000000ul
#define NZERO 0x8000000000000000ul
#define INF 0x7ff0000000000000ul
#define NINF 0xfff0000000000000ul
#define QNAN 0x7ff8000000000000ul   /* the canonical NaN */
#define SNAN 0x7ff0000000000001ul
#define OTHER_QNAN 0xfff8000000abcdeful
#define MAX 0x7feffffffffffffful
#define MIN_SUB 0x0000000000000001ul
#define MIN_NORMAL 0x0010000000000000ul

static void test_arithmetic(void) {
  CHECK_FP(FF("fadd.d ft3, ft0, ft1", ONE, TWO, flags), THREE, 0);
  CHECK_FP(FF("fsub.d ft3, ft0, ft1", ONE, THREE, flags), 0xc000000000000000ul, 0);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1", THREE, HALF, flags), 0x3ff8000000000000ul, 0);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1", ONE, TWO, flags), HALF, 0);
  CHECK_FP(FF("fsqrt.d ft3, ft0", 0x4022000000000000ul, 0, flags), THREE, 0);  /* sqrt 9 */
  /* sqrt 2 = 1.41421356237309504...: 0x3ff6a09e667f3bcd lies above it */
  CHECK_FP(FF("fsqrt.d ft3, ft0", TWO, 0, flags), 0x3ff6a09e667f3bcdul, FLAG_NX);
  CHECK_FP(FF("fsqrt.d ft3, ft0, rtz", TWO, 0, flags), 0x3ff6a09e667f3bccul, FLAG_NX);
  CHECK_FP(FF("fsqrt.d ft3, ft0, rdn", TWO, 0, flags), 0x3ff6a09e667f3bccul, FLAG_NX);
  CHECK_FP(FF("fsqrt.d ft3, ft0", MINUS_ONE, 0, flags), QNAN, FLAG_NV);
  CHECK_FP(FF("fsqrt.d ft3, ft0", NINF, 0, flags), QNAN, FLAG_NV);
  CHECK_FP(FF("fsqrt.d ft3, ft0", INF, 0, flags), INF, 0);
  CHECK_FP(FF3("fmadd.d ft3, ft0, ft1, ft2", TWO, THREE, ONE, flags), 0x401c000000000000ul, 0);   /* 7 */
  CHECK_FP(FF3("fmsub.d ft3, ft0, ft1, ft2", TWO, THREE, ONE, flags), 0x4014000000000000ul, 0);   /* 5 */
  CHECK_FP(FF3("fnmsub.d ft3, ft0, ft1, ft2", TWO, THREE, ONE, flags), 0xc014000000000000ul, 0);  /* -5 */
  CHECK_FP(FF3("fnmadd.d ft3, ft0, ft1, ft2", TWO, THREE, ONE, flags), 0xc01c000000000000ul, 0);  /* -7 */
  /* single rounding: (1+2^-27)^2 - (1+2^-26) = 2^-54 */
  CHECK_FP(FF3("fmadd.d ft3, ft0, ft1, ft2", 0x3ff0000002000000ul, 0x3ff0000002000000ul, 0xbff0000004000000ul,
               flags), 0x3c90000000000000ul, 0);
  CHECK_FP(FF3("fmadd.d ft3, ft0, ft1, ft2", INF, PZERO, ONE, flags), QNAN, FLAG_NV);
  CHECK_FP(FF3("fmsub.d ft3, ft0, ft1, ft2", INF, ONE, INF, flags), QNAN, FLAG_NV);
}

static void test_flags_and_rounding(void) {
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1", ONE, PZERO, flags), INF, FLAG_DZ);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1", ONE, NZERO, flags), NINF, FLAG_DZ);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1", INF, INF, flags), QNAN, FLAG_NV);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1", MAX, TWO, flags), INF, FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1, rtz", MAX, TWO, flags), MAX, FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1, rup", MAX | NZERO, TWO, flags), MAX | NZERO, FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1", MIN_SUB, HALF, flags), PZERO, FLAG_UF | FLAG_NX);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1, rdn", MIN_SUB | NZERO, HALF, flags), MIN_SUB | NZERO, FLAG_UF | FLAG_NX);
  CHECK_FP(FF("fmul.d ft3, ft0, ft1", MIN_NORMAL, HALF, flags), 0x0008000000000000ul, 0);
  CHECK_FP(FF("fadd.d ft3, ft0, ft1", SNAN, ONE, flags), QNAN, FLAG_NV);
  CHECK_FP(FF("fadd.d ft3, ft0, ft1", OTHER_QNAN, ONE, flags), QNAN, 0);
  /* 1/3 = 0x3fd5555555555555|0101...: below the midpoint */
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rne", ONE, THREE, flags), 0x3fd5555555555555ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rtz", ONE, THREE, flags), 0x3fd5555555555555ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rdn", ONE, THREE, flags), 0x3fd5555555555555ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rup", ONE, THREE, flags), 0x3fd5555555555556ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rmm", ONE, THREE, flags), 0x3fd5555555555555ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rdn", MINUS_ONE, THREE, flags), 0xbfd5555555555556ul, FLAG_NX);
  CHECK_FP(FF("fdiv.d ft3, ft0, ft1, rup", MINUS_ONE, THREE, flags), 0xbfd5555555555555ul, FLAG_NX);
  /* 2^53 + 1: an exact tie */
  CHECK_FP(XF("fcvt.d.l ft3, %2, rne", 0x20000000000001ul, flags), 0x4340000000000000ul, FLAG_NX);
  CHECK_FP(XF("fcvt.d.l ft3, %2, rmm", 0x20000000000001ul, flags), 0x4340000000000001ul, FLAG_NX);
  CHECK_FP(XF("fcvt.d.l ft3, %2, rtz", 0x20000000000001ul, flags), 0x4340000000000000ul, FLAG_NX);
  CHECK_FP(XF("fcvt.d.l ft3, %2, rup", 0x20000000000001ul, flags), 0x4340000000000001ul, FLAG_NX);
  CHECK_FP(XF("fcvt.d.l ft3, %2, rdn", 0x20000000000001ul, flags), 0x4340000000000000ul, FLAG_NX);
  /* dynamic rounding through frm */
  for (unsigned rm = 0; rm < 5; rm++) {
    static const uint64_t want[5] = {0x3fd5555555555555ul, 0x3fd5555555555555ul, 0x3fd5555555555555ul,
                                     0x3fd5555555555556ul, 0x3fd5555555555555ul};
    uint64_t fl;
    csr_write(frm, rm);
    uint64_t r = FF("fdiv.d ft3, ft0, ft1", ONE, THREE, &fl);
    csr_write(frm, 0);
    if (r != want[rm] || fl != FLAG_NX) fail_at(__FILE__, __LINE__, "dynamic rounding fdiv.d");
  }
}

static void test_min_max_compare_class(void) {
  CHECK_FP(FF("fmin.d ft3, ft0, ft1", NZERO, PZERO, flags), NZERO, 0);
  CHECK_FP(FF("fmax.d ft3, ft0, ft1", NZERO, PZERO, flags), PZERO, 0);
  CHECK_FP(FF("fmax.d ft3, ft0, ft1", PZERO, NZERO, flags), PZERO, 0);
  CHECK_FP(FF("fmin.d ft3, ft0, ft1", QNAN, TWO, flags), TWO, 0);
  CHECK_FP(FF("fmax.d ft3, ft0, ft1", TWO, SNAN, flags), TWO, FLAG_NV);
  CHECK_FP(FF("fmax.d ft3, ft0, ft1", OTHER_QNAN, OTHER_QNAN, flags), QNAN, 0);
  CHECK_FP(FF("fmin.d ft3, ft0, ft1", MINUS_ONE, ONE, flags), MINUS_ONE, 0);
  CHECK_FP(FX("feq.d %0, ft0, ft1", NZERO, PZERO, flags), 1, 0);
  CHECK_FP(FX("feq.d %0, ft0, ft1", QNAN, ONE, flags), 0, 0);
  CHECK_FP(FX("feq.d %0, ft0, ft1", SNAN, SNAN, flags), 0, FLAG_NV);
  CHECK_FP(FX("flt.d %0, ft0, ft1", MINUS_ONE, ONE, flags), 1, 0);
  CHECK_FP(FX("flt.d %0, ft0, ft1", ONE, ONE, flags), 0, 0);
  CHECK_FP(FX("flt.d %0, ft0, ft1", ONE, QNAN, flags), 0, FLAG_NV);
  CHECK_FP(FX("fle.d %0, ft0, ft1", ONE, ONE, flags), 1, 0);
  CHECK_FP(FX("fle.d %0, ft0, ft1", TWO, ONE, flags), 0, 0);
  CHECK_FP(FX("fle.d %0, ft0, ft1", QNAN, QNAN, flags), 0, FLAG_NV);
  static const uint64_t values[10] = {NINF, MINUS_ONE, 0x800fffffffffffff, NZERO, PZERO, MIN_SUB, ONE, INF,
                                      SNAN, QNAN};
  for (unsigned i = 0; i < 10; i++) {
    uint64_t fl;
    if (FX("fclass.d %0, ft0", values[i], 0, &fl) != (1ul << i) || fl) fail_at(__FILE__, __LINE__, "fclass.d");
  }
}

static void test_sign_injection_and_moves(void) {
  CHECK_FP(FF("fsgnj.d ft3, ft0, ft1", ONE, NZERO, flags), MINUS_ONE, 0);
  CHECK_FP(FF("fsgnjn.d ft3, ft0, ft1", ONE, ONE, flags), MINUS_ONE, 0);
  CHECK_FP(FF("fsgnjn.d ft3, ft0, ft1", ONE, MINUS_ONE, flags), ONE, 0);
  CHECK_FP(FF("fsgnjx.d ft3, ft0, ft1", MINUS_ONE, MINUS_ONE, flags), ONE, 0);
  CHECK_FP(FF("fsgnjx.d ft3, ft0, ft1", ONE, MINUS_ONE, flags), MINUS_ONE, 0);
  CHECK_FP(FF("fsgnj.d ft3, ft0, ft1", SNAN, NINF, flags), SNAN | NZERO, 0);  /* payload kept, no NV */
  CHECK_FP(FX("fmv.x.d %0, ft0", 0x8123456789abcdeful, 0, flags), 0x8123456789abcdeful, 0);
  CHECK_FP(XF("fmv.d.x ft3, %2", 0x0000000012345678ul, flags), 0x0000000012345678ul, 0);
  static volatile uint64_t mem[3] = {0, 0x400921fb54442d18ul, 0};
  uint64_t v;
  __asm__ volatile("fld ft0, 8(%1)\nfsd ft0, 16(%1)\nfmv.x.d %0, ft0" : "=r"(v) : "r"(mem) : "ft0", "memory");
  CHECK_EQ(v, 0x400921fb54442d18ul);
  CHECK_EQ(mem[2], 0x400921fb54442d18ul);
}

static void test_integer_conversions(void) {
  CHECK_FP(FX("fcvt.w.d %0, ft0, rtz", 0x400c000000000000ul, 0, flags), 3, FLAG_NX);  /* 3.5 */
  CHECK_FP(FX("fcvt.w.d %0, ft0, rne", 0x400c000000000000ul, 0, flags), 4, FLAG_NX);
  CHECK_FP(FX("fcvt.w.d %0, ft0, rne", 0x4004000000000000ul, 0, flags), 2, FLAG_NX);  /* 2.5 */
  CHECK_FP(FX("fcvt.w.d %0, ft0, rmm", 0xc004000000000000ul, 0, flags), (uint64_t)-3, FLAG_NX);
  CHECK_FP(FX("fcvt.w.d %0, ft0, rdn", 0x4004000000000000ul, 0, flags), 2, FLAG_NX);
  CHECK_FP(FX("fcvt.w.d %0, ft0, rup", 0x4004000000000000ul, 0, flags), 3, FLAG_NX);
  CHECK_FP(FX("fcvt.w.d %0, ft0, rtz", 0x41e65a0bc0000000ul, 0, flags), 0x7fffffff, FLAG_NV);  /* 3e9 */
  CHECK_FP(FX("fcvt.w.d %0, ft0, rtz", 0xc1e0000000100000ul, 0, flags), 0xffffffff80000000ul, FLAG_NX);
  CHECK_FP(FX("fcvt.w.d %0, ft0, rdn", 0xc1e0000000100000ul, 0, flags), 0xffffffff80000000ul, FLAG_NV);
  CHECK_FP(FX("fcvt.w.d %0, ft0", QNAN, 0, flags), 0x7fffffff, FLAG_NV);
  CHECK_FP(FX("fcvt.w.d %0, ft0", NINF, 0, flags), 0xffffffff80000000ul, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.d %0, ft0, rtz", 0x41effffffff00000ul, 0, flags), 0xfffffffffffffffful, FLAG_NX);
  CHECK_FP(FX("fcvt.wu.d %0, ft0, rne", 0x41effffffff00000ul, 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.d %0, ft0", MINUS_ONE, 0, flags), 0, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.d %0, ft0", SNAN, 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.d %0, ft0", THREE, 0, flags), 3, 0);
  CHECK_FP(FX("fcvt.l.d %0, ft0, rtz", 0x43e0000000000000ul, 0, flags), 0x7ffffffffffffffful, FLAG_NV);  /* 2^63 */
  CHECK_FP(FX("fcvt.l.d %0, ft0, rtz", 0xc3e0000000000000ul, 0, flags), 0x8000000000000000ul, 0);
  CHECK_FP(FX("fcvt.l.d %0, ft0", QNAN, 0, flags), 0x7ffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.l.d %0, ft0", NINF, 0, flags), 0x8000000000000000ul, FLAG_NV);
  CHECK_FP(FX("fcvt.l.d %0, ft0, rtz", 0xbfe0000000000000ul, 0, flags), 0, FLAG_NX);  /* -0.5 */
  CHECK_FP(FX("fcvt.lu.d %0, ft0, rtz", 0x43f0000000000000ul, 0, flags), 0xfffffffffffffffful, FLAG_NV);  /* 2^64 */
  CHECK_FP(FX("fcvt.lu.d %0, ft0, rtz", 0x43e0000000000000ul, 0, flags), 0x8000000000000000ul, 0);
  CHECK_FP(FX("fcvt.lu.d %0, ft0", MINUS_ONE, 0, flags), 0, FLAG_NV);
  CHECK_FP(FX("fcvt.lu.d %0, ft0", QNAN, 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.lu.d %0, ft0", INF, 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(XF("fcvt.d.w ft3, %2", 0x00000000ffffffff, flags), MINUS_ONE, 0);
  CHECK_FP(XF("fcvt.d.w ft3, %2", 0x80000000, flags), 0xc1e0000000000000ul, 0);
  CHECK_FP(XF("fcvt.d.wu ft3, %2", 0xffffffffffffffff, flags), 0x41efffffffe00000ul, 0);  /* 2^32-1, exact */
  CHECK_FP(XF("fcvt.d.l ft3, %2", 0xffffffffffffffff, flags), MINUS_ONE, 0);
  CHECK_FP(XF("fcvt.d.lu ft3, %2", 0xffffffffffffffff, flags), 0x43f0000000000000ul, FLAG_NX);
  CHECK_FP(XF("fcvt.d.lu ft3, %2, rtz", 0xffffffffffffffff, flags), 0x43effffffffffffful, FLAG_NX);
}

static void test_precision_conversions(void) {
  CHECK_FP(FF("fcvt.s.d ft3, ft0", 0x3fd5555555555555ul, 0, flags), BOX(0x3eaaaaab), FLAG_NX);
  CHECK_FP(FF("fcvt.s.d ft3, ft0, rtz", 0x3fd5555555555555ul, 0, flags), BOX(0x3eaaaaaa), FLAG_NX);
  CHECK_FP(FF("fcvt.s.d ft3, ft0", MAX, 0, flags), BOX(0x7f800000), FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fcvt.s.d ft3, ft0, rtz", MAX, 0, flags), BOX(0x7f7fffff), FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fcvt.s.d ft3, ft0", MIN_SUB, 0, flags), BOX(0), FLAG_UF | FLAG_NX);
  CHECK_FP(FF("fcvt.s.d ft3, ft0", OTHER_QNAN, 0, flags), BOX(0x7fc00000), 0);
  CHECK_FP(FF("fcvt.s.d ft3, ft0", SNAN, 0, flags), BOX(0x7fc00000), FLAG_NV);
  CHECK_FP(FF("fcvt.s.d ft3, ft0", NINF, 0, flags), BOX(0xff800000), 0);
  CHECK_FP(FF("fcvt.d.s ft3, ft0", BOX(0x3f800000), 0, flags), ONE, 0);
  CHECK_FP(FF("fcvt.d.s ft3, ft0", BOX(0x00000001), 0, flags), 0x36a0000000000000ul, 0);  /* 2^-149, exact */
  CHECK_FP(FF("fcvt.d.s ft3, ft0", BOX(0x7f800001), 0, flags), QNAN, FLAG_NV);
  CHECK_FP(FF("fcvt.d.s ft3, ft0", BOX(0xffc00001), 0, flags), QNAN, 0);
  /* an unboxed single operand reads as the canonical NaN */
  CHECK_FP(FF("fcvt.d.s ft3, ft0", ONE, 0, flags), QNAN, 0);
}

int main(void) {
  test_arithmetic();
  test_flags_and_rounding();
  test_min_max_compare_class();
  test_sign_injection_and_moves();
  test_integer_conversions();
  test_precision_conversions();
  return 0;
}
