/* F extension: every single-precision instruction, the five rounding modes
 * (static and dynamic through frm), fflags, NaN-boxing of narrower values in
 * the 64-bit registers, canonical NaNs, fmin/fmax on NaNs and signed zeros,
 * saturating conversions, fclass, sign injection, and the mstatus.FS state
 * machine. Encodings are written out in hex (IEEE-754 binary32). */
#include "fp.h"
#include "rt.h"

#define ONE 0x3f800000u
#define TWO 0x40000000u
#define THREE 0x40400000u
#define HALF 0x3f000000u
#define MINUS_ONE 0xbf800000u
#define PZERO 0x00000000u
#define NZERO 0x80000000u
#define INF 0x7f800000u
#define NINF 0xff800000u
#define QNAN 0x7fc00000u      /* the canonical NaN */
#define SNAN 0x7f800001u
#define OTHER_QNAN 0xffc12345u
#define MAX 0x7f7fffffu
#define MIN_NORMAL 0x00800000u
#define MIN_SUB 0x00000001u

static void test_arithmetic(void) {
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", BOX(ONE), BOX(TWO), flags), BOX(THREE), 0);
  CHECK_FP(FF("fsub.s ft3, ft0, ft1", BOX(ONE), BOX(THREE), flags), BOX(0xc0000000), 0);  /* -2 */
  CHECK_FP(FF("fmul.s ft3, ft0, ft1", BOX(THREE), BOX(HALF), flags), BOX(0x3fc00000), 0); /* 1.5 */
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1", BOX(ONE), BOX(TWO), flags), BOX(HALF), 0);
  CHECK_FP(FF("fsqrt.s ft3, ft0", BOX(0x41100000), 0, flags), BOX(THREE), 0);  /* sqrt 9 */
  CHECK_FP(FF("fsqrt.s ft3, ft0", BOX(TWO), 0, flags), BOX(0x3fb504f3), FLAG_NX);
  CHECK_FP(FF("fsqrt.s ft3, ft0, rup", BOX(TWO), 0, flags), BOX(0x3fb504f4), FLAG_NX);
  CHECK_FP(FF("fsqrt.s ft3, ft0", BOX(NZERO), 0, flags), BOX(NZERO), 0);
  CHECK_FP(FF("fsqrt.s ft3, ft0", BOX(MINUS_ONE), 0, flags), BOX(QNAN), FLAG_NV);
  /* x + -x is +0 except when rounding down */
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", BOX(ONE), BOX(MINUS_ONE), flags), BOX(PZERO), 0);
  CHECK_FP(FF("fadd.s ft3, ft0, ft1, rdn", BOX(ONE), BOX(MINUS_ONE), flags), BOX(NZERO), 0);
  /* fused multiply-add: 2*3 with c = 1 */
  CHECK_FP(FF3("fmadd.s ft3, ft0, ft1, ft2", BOX(TWO), BOX(THREE), BOX(ONE), flags), BOX(0x40e00000), 0);
  CHECK_FP(FF3("fmsub.s ft3, ft0, ft1, ft2", BOX(TWO), BOX(THREE), BOX(ONE), flags), BOX(0x40a00000), 0);
  CHECK_FP(FF3("fnmsub.s ft3, ft0, ft1, ft2", BOX(TWO), BOX(THREE), BOX(ONE), flags), BOX(0xc0a00000), 0);
  CHECK_FP(FF3("fnmadd.s ft3, ft0, ft1, ft2", BOX(TWO), BOX(THREE), BOX(ONE), flags), BOX(0xc0e00000), 0);
  /* one rounding only: (1+2^-12)^2 - (1+2^-11) = 2^-24 exactly; rounding the
   * product first would give 0 */
  CHECK_FP(FF3("fmadd.s ft3, ft0, ft1, ft2", BOX(0x3f800800), BOX(0x3f800800), BOX(0xbf801000), flags),
           BOX(0x33800000), 0);
  /* inf * 0 in an FMA is invalid even when c is a quiet NaN... c = 1 here */
  CHECK_FP(FF3("fmadd.s ft3, ft0, ft1, ft2", BOX(INF), BOX(PZERO), BOX(ONE), flags), BOX(QNAN), FLAG_NV);
}

static void test_flags(void) {
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1", BOX(ONE), BOX(PZERO), flags), BOX(INF), FLAG_DZ);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1", BOX(MINUS_ONE), BOX(PZERO), flags), BOX(NINF), FLAG_DZ);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1", BOX(PZERO), BOX(PZERO), flags), BOX(QNAN), FLAG_NV);
  CHECK_FP(FF("fsub.s ft3, ft0, ft1", BOX(INF), BOX(INF), flags), BOX(QNAN), FLAG_NV);
  CHECK_FP(FF("fmul.s ft3, ft0, ft1", BOX(MAX), BOX(TWO), flags), BOX(INF), FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fmul.s ft3, ft0, ft1, rtz", BOX(MAX), BOX(TWO), flags), BOX(MAX), FLAG_OF | FLAG_NX);
  CHECK_FP(FF("fmul.s ft3, ft0, ft1, rdn", BOX(MAX), BOX(TWO), flags), BOX(MAX), FLAG_OF | FLAG_NX);
  /* smallest subnormal halved: a tie rounding to even, i.e. 0 */
  CHECK_FP(FF("fmul.s ft3, ft0, ft1", BOX(MIN_SUB), BOX(HALF), flags), BOX(PZERO), FLAG_UF | FLAG_NX);
  CHECK_FP(FF("fmul.s ft3, ft0, ft1, rup", BOX(MIN_SUB), BOX(HALF), flags), BOX(MIN_SUB), FLAG_UF | FLAG_NX);
  /* exact subnormal result: no underflow flag */
  CHECK_FP(FF("fmul.s ft3, ft0, ft1", BOX(MIN_NORMAL), BOX(HALF), flags), BOX(0x00400000), 0);
  /* operations on quiet NaNs raise nothing, on signalling NaNs NV; the result is canonical */
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", BOX(OTHER_QNAN), BOX(ONE), flags), BOX(QNAN), 0);
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", BOX(SNAN), BOX(ONE), flags), BOX(QNAN), FLAG_NV);
  CHECK_FP(FF("fmul.s ft3, ft0, ft1", BOX(ONE), BOX(0xff800002), flags), BOX(QNAN), FLAG_NV);
  /* flags accrue until cleared */
  uint64_t acc;
  __asm__ volatile("csrwi fflags, 0\nfmv.w.x ft0, %1\nfmv.w.x ft1, zero\nfdiv.s ft2, ft0, ft1\n"
                   "fsqrt.s ft2, ft1\nfmv.w.x ft1, %2\nfsqrt.s ft2, ft1\nfrflags %0"
                   : "=r"(acc) : "r"(ONE), "r"(MINUS_ONE) : "ft0", "ft1", "ft2");
  CHECK_EQ(acc, FLAG_DZ | FLAG_NV);
}

/* 1/3 and -1/3 lie between two floats, above the midpoint: 0x3eaaaaaa|b.
 * 2^24 + 1 converted to float is an exact tie between 2^24 and 2^24 + 2. */
static void test_rounding_modes_static(void) {
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rne", BOX(ONE), BOX(THREE), flags), BOX(0x3eaaaaab), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rtz", BOX(ONE), BOX(THREE), flags), BOX(0x3eaaaaaa), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rdn", BOX(ONE), BOX(THREE), flags), BOX(0x3eaaaaaa), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rup", BOX(ONE), BOX(THREE), flags), BOX(0x3eaaaaab), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rmm", BOX(ONE), BOX(THREE), flags), BOX(0x3eaaaaab), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rne", BOX(MINUS_ONE), BOX(THREE), flags), BOX(0xbeaaaaab), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rtz", BOX(MINUS_ONE), BOX(THREE), flags), BOX(0xbeaaaaaa), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rdn", BOX(MINUS_ONE), BOX(THREE), flags), BOX(0xbeaaaaab), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rup", BOX(MINUS_ONE), BOX(THREE), flags), BOX(0xbeaaaaaa), FLAG_NX);
  CHECK_FP(FF("fdiv.s ft3, ft0, ft1, rmm", BOX(MINUS_ONE), BOX(THREE), flags), BOX(0xbeaaaaab), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rne", 0x1000001, flags), BOX(0x4b800000), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rmm", 0x1000001, flags), BOX(0x4b800001), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rtz", 0x1000001, flags), BOX(0x4b800000), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rup", 0x1000001, flags), BOX(0x4b800001), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rdn", 0x1000001, flags), BOX(0x4b800000), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rne", 0x1000003, flags), BOX(0x4b800002), FLAG_NX);  /* tie, up to even */
  CHECK_FP(XF("fcvt.s.w ft3, %2, rdn", (uint64_t)-0x1000001, flags), BOX(0xcb800001), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rmm", (uint64_t)-0x1000001, flags), BOX(0xcb800001), FLAG_NX);
  CHECK_FP(XF("fcvt.s.w ft3, %2, rup", (uint64_t)-0x1000001, flags), BOX(0xcb800000), FLAG_NX);
}

/* The same results through frm with the instruction's rm = dyn. */
static uint64_t div_dynamic(unsigned frm, uint32_t a, uint32_t b) {
  uint64_t f;
  csr_write(frm, frm);
  uint64_t r = FF("fdiv.s ft3, ft0, ft1, dyn", BOX(a), BOX(b), &f);
  csr_write(frm, 0);
  return r;
}

static void test_rounding_modes_dynamic(void) {
  CHECK_EQ(div_dynamic(0, ONE, THREE), BOX(0x3eaaaaab));
  CHECK_EQ(div_dynamic(1, ONE, THREE), BOX(0x3eaaaaaa));
  CHECK_EQ(div_dynamic(2, MINUS_ONE, THREE), BOX(0xbeaaaaab));
  CHECK_EQ(div_dynamic(3, MINUS_ONE, THREE), BOX(0xbeaaaaaa));
  CHECK_EQ(div_dynamic(4, ONE, THREE), BOX(0x3eaaaaab));
  /* fcsr layout: frm in bits 7:5, fflags in 4:0; fsrm/frrm/fsflags views */
  csr_write(fcsr, 0xff);
  CHECK_EQ(csr_read(fcsr), 0xff);
  CHECK_EQ(csr_read(frm), 7);
  CHECK_EQ(csr_read(fflags), 0x1f);
  uint64_t old;
  __asm__ volatile("fsrmi %0, 2" : "=r"(old));
  CHECK_EQ(old, 7);
  __asm__ volatile("fsflagsi %0, 1" : "=r"(old));
  CHECK_EQ(old, 0x1f);
  CHECK_EQ(csr_read(fcsr), (2 << 5) | 1);
  csr_write(fcsr, 0x1ff);  /* bits above 7 are not writable */
  CHECK_EQ(csr_read(fcsr), 0xff);
  csr_write(fcsr, 0);
  /* Reserved rounding modes are illegal: rm = 5 in the instruction, or dyn with frm = 5..7. */
  expect_trap();
  __asm__ volatile(".insn r OP_FP, 5, 0, ft3, ft0, ft1" ::: "ft3");  /* fadd.s with rm = 5 */
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile(".insn r OP_FP, 6, 0, ft3, ft0, ft1" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(frm, 5);
  expect_trap();
  __asm__ volatile("fadd.s ft3, ft0, ft1, dyn" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(frm, 7);
  expect_trap();
  __asm__ volatile("fadd.s ft3, ft0, ft1, dyn" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(frm, 0);
}

static void test_nan_boxing(void) {
  /* An operand whose upper 32 bits are not all ones is the canonical NaN. */
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", 0x000000003f800000ul, BOX(ONE), flags), BOX(QNAN), 0);
  CHECK_FP(FF("fadd.s ft3, ft0, ft1", 0xfffffffe3f800000ul, BOX(ONE), flags), BOX(QNAN), 0);
  CHECK_FP(FF("fsgnj.s ft3, ft0, ft1", 0x3ff0000000000000ul, BOX(ONE), flags), BOX(QNAN), 0);
  CHECK_FP(FF("fsgnjn.s ft3, ft0, ft0", 0x3ff0000000000000ul, 0, flags), BOX(0xffc00000), 0);
  CHECK_FP(FX("fclass.s %0, ft0", 0x3ff0000000000000ul, 0, flags), 1u << 9, 0);
  CHECK_FP(FX("feq.s %0, ft0, ft0", 0x000000003f800000ul, 0, flags), 0, 0);
  /* fmv.x.w takes the low bits as they are, boxed or not */
  CHECK_FP(FX("fmv.x.w %0, ft0", 0x000000003f800000ul, 0, flags), ONE, 0);
  /* results and loads of single values are boxed */
  CHECK_FP(XF("fmv.w.x ft3, %2", 0x123456789abcdef0ul, flags), BOX(0x9abcdef0), 0);
  static volatile uint32_t word = ONE;
  CHECK_FP(XF("flw ft3, 0(%2)", &word, flags), BOX(ONE), 0);
  /* fsw stores the low 32 bits, even of an unboxed register */
  uint64_t dbl = 0x4000000012345678ul;
  __asm__ volatile("fmv.d.x ft0, %1\nfsw ft0, 0(%0)" :: "r"(&word), "r"(dbl) : "ft0", "memory");
  CHECK_EQ(word, 0x12345678);
}

static void test_min_max(void) {
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(ONE), BOX(TWO), flags), BOX(ONE), 0);
  CHECK_FP(FF("fmax.s ft3, ft0, ft1", BOX(ONE), BOX(TWO), flags), BOX(TWO), 0);
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(NZERO), BOX(PZERO), flags), BOX(NZERO), 0);
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(PZERO), BOX(NZERO), flags), BOX(NZERO), 0);
  CHECK_FP(FF("fmax.s ft3, ft0, ft1", BOX(NZERO), BOX(PZERO), flags), BOX(PZERO), 0);
  CHECK_FP(FF("fmax.s ft3, ft0, ft1", BOX(PZERO), BOX(NZERO), flags), BOX(PZERO), 0);
  /* one NaN: the other operand; a signalling NaN also raises NV */
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(QNAN), BOX(MINUS_ONE), flags), BOX(MINUS_ONE), 0);
  CHECK_FP(FF("fmax.s ft3, ft0, ft1", BOX(ONE), BOX(OTHER_QNAN), flags), BOX(ONE), 0);
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(SNAN), BOX(ONE), flags), BOX(ONE), FLAG_NV);
  /* both NaN: the canonical NaN */
  CHECK_FP(FF("fmax.s ft3, ft0, ft1", BOX(OTHER_QNAN), BOX(SNAN), flags), BOX(QNAN), FLAG_NV);
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(OTHER_QNAN), BOX(OTHER_QNAN), flags), BOX(QNAN), 0);
  CHECK_FP(FF("fmin.s ft3, ft0, ft1", BOX(NINF), BOX(INF), flags), BOX(NINF), 0);
}

static void test_compare_classify(void) {
  CHECK_FP(FX("feq.s %0, ft0, ft1", BOX(ONE), BOX(ONE), flags), 1, 0);
  CHECK_FP(FX("feq.s %0, ft0, ft1", BOX(PZERO), BOX(NZERO), flags), 1, 0);
  CHECK_FP(FX("feq.s %0, ft0, ft1", BOX(QNAN), BOX(QNAN), flags), 0, 0);   /* quiet: no NV */
  CHECK_FP(FX("feq.s %0, ft0, ft1", BOX(SNAN), BOX(ONE), flags), 0, FLAG_NV);
  CHECK_FP(FX("flt.s %0, ft0, ft1", BOX(ONE), BOX(TWO), flags), 1, 0);
  CHECK_FP(FX("flt.s %0, ft0, ft1", BOX(NZERO), BOX(PZERO), flags), 0, 0);
  CHECK_FP(FX("flt.s %0, ft0, ft1", BOX(QNAN), BOX(ONE), flags), 0, FLAG_NV);  /* signalling compare */
  CHECK_FP(FX("fle.s %0, ft0, ft1", BOX(TWO), BOX(TWO), flags), 1, 0);
  CHECK_FP(FX("fle.s %0, ft0, ft1", BOX(NINF), BOX(MINUS_ONE), flags), 1, 0);
  CHECK_FP(FX("fle.s %0, ft0, ft1", BOX(ONE), BOX(QNAN), flags), 0, FLAG_NV);
  static const uint32_t values[10] = {NINF, MINUS_ONE, 0x807fffff, NZERO, PZERO, MIN_SUB, ONE, INF, SNAN, QNAN};
  for (unsigned i = 0; i < 10; i++) {
    uint64_t fl;
    uint64_t cls = FX("fclass.s %0, ft0", BOX(values[i]), 0, &fl);
    if (cls != (1ul << i) || fl != 0) fail_at(__FILE__, __LINE__, "fclass.s");
  }
}

static void test_sign_injection_and_moves(void) {
  CHECK_FP(FF("fsgnj.s ft3, ft0, ft1", BOX(ONE), BOX(NZERO), flags), BOX(MINUS_ONE), 0);
  CHECK_FP(FF("fsgnj.s ft3, ft0, ft1", BOX(MINUS_ONE), BOX(PZERO), flags), BOX(ONE), 0);
  CHECK_FP(FF("fsgnjn.s ft3, ft0, ft1", BOX(ONE), BOX(ONE), flags), BOX(MINUS_ONE), 0);
  CHECK_FP(FF("fsgnjn.s ft3, ft0, ft1", BOX(ONE), BOX(MINUS_ONE), flags), BOX(ONE), 0);
  CHECK_FP(FF("fsgnjx.s ft3, ft0, ft1", BOX(MINUS_ONE), BOX(MINUS_ONE), flags), BOX(ONE), 0);
  CHECK_FP(FF("fsgnjx.s ft3, ft0, ft1", BOX(MINUS_ONE), BOX(ONE), flags), BOX(MINUS_ONE), 0);
  /* sign injection never touches NaN payloads or flags */
  CHECK_FP(FF("fsgnjn.s ft3, ft0, ft0", BOX(SNAN), 0, flags), BOX(0xff800001), 0);
  /* fmv.x.w sign-extends bit 31 */
  CHECK_FP(FX("fmv.x.w %0, ft0", BOX(0x80000000), 0, flags), 0xffffffff80000000ul, 0);
  CHECK_FP(FX("fmv.x.w %0, ft0", BOX(0x7fffffff), 0, flags), 0x7fffffff, 0);
}

static void test_conversions(void) {
  CHECK_FP(FX("fcvt.w.s %0, ft0, rtz", BOX(0xc0600000), 0, flags), (uint64_t)-3, FLAG_NX);  /* -3.5 */
  CHECK_FP(FX("fcvt.w.s %0, ft0, rne", BOX(0xc0600000), 0, flags), (uint64_t)-4, FLAG_NX);
  CHECK_FP(FX("fcvt.w.s %0, ft0, rmm", BOX(0x40200000), 0, flags), 3, FLAG_NX);            /* 2.5 */
  CHECK_FP(FX("fcvt.w.s %0, ft0, rne", BOX(0x40200000), 0, flags), 2, FLAG_NX);
  CHECK_FP(FX("fcvt.w.s %0, ft0, rup", BOX(0x40200000), 0, flags), 3, FLAG_NX);
  CHECK_FP(FX("fcvt.w.s %0, ft0, rdn", BOX(0xc0200000), 0, flags), (uint64_t)-3, FLAG_NX);
  /* saturation: out of range and NaN give the limits, with NV (and not NX) */
  CHECK_FP(FX("fcvt.w.s %0, ft0, rtz", BOX(0x4f32d05e), 0, flags), 0x7fffffff, FLAG_NV);  /* 3e9 */
  CHECK_FP(FX("fcvt.w.s %0, ft0, rtz", BOX(NINF), 0, flags), 0xffffffff80000000ul, FLAG_NV);
  CHECK_FP(FX("fcvt.w.s %0, ft0, rtz", BOX(QNAN), 0, flags), 0x7fffffff, FLAG_NV);
  CHECK_FP(FX("fcvt.w.s %0, ft0, rtz", BOX(0xcf000000), 0, flags), 0xffffffff80000000ul, 0);  /* -2^31 fits */
  CHECK_FP(FX("fcvt.wu.s %0, ft0, rtz", BOX(MINUS_ONE), 0, flags), 0, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.s %0, ft0, rtz", BOX(0xbf000000), 0, flags), 0, FLAG_NX);   /* -0.5 rounds to 0 */
  CHECK_FP(FX("fcvt.wu.s %0, ft0, rtz", BOX(INF), 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.s %0, ft0, rtz", BOX(QNAN), 0, flags), 0xfffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.wu.s %0, ft0, rtz", BOX(0x4f000000), 0, flags), 0xffffffff80000000ul, 0);  /* 2^31, sign-extended */
  CHECK_FP(FX("fcvt.l.s %0, ft0, rtz", BOX(0x5f000000), 0, flags), 0x7ffffffffffffffful, FLAG_NV);  /* 2^63 */
  CHECK_FP(FX("fcvt.l.s %0, ft0, rtz", BOX(0xdf000000), 0, flags), 0x8000000000000000ul, 0);       /* -2^63 */
  CHECK_FP(FX("fcvt.l.s %0, ft0, rtz", BOX(NINF), 0, flags), 0x8000000000000000ul, FLAG_NV);
  CHECK_FP(FX("fcvt.l.s %0, ft0, rtz", BOX(SNAN), 0, flags), 0x7ffffffffffffffful, FLAG_NV);
  CHECK_FP(FX("fcvt.l.s %0, ft0, rtz", BOX(0x4b000001), 0, flags), 0x800001, 0);
  CHECK_FP(FX("fcvt.lu.s %0, ft0, rtz", BOX(0x5f800000), 0, flags), 0xfffffffffffffffful, FLAG_NV); /* 2^64 */
  CHECK_FP(FX("fcvt.lu.s %0, ft0, rtz", BOX(0x5f000000), 0, flags), 0x8000000000000000ul, 0);
  CHECK_FP(FX("fcvt.lu.s %0, ft0, rtz", BOX(NINF), 0, flags), 0, FLAG_NV);
  CHECK_FP(FX("fcvt.lu.s %0, ft0, rtz", BOX(QNAN), 0, flags), 0xfffffffffffffffful, FLAG_NV);
  /* integer to float */
  CHECK_FP(XF("fcvt.s.w ft3, %2", 0xffffffff, flags), BOX(MINUS_ONE), 0);        /* low word, signed */
  CHECK_FP(XF("fcvt.s.wu ft3, %2", 0xffffffff, flags), BOX(0x4f800000), FLAG_NX); /* 2^32 - 1 rounds to 2^32 */
  CHECK_FP(XF("fcvt.s.wu ft3, %2, rtz", 0xffffffff, flags), BOX(0x4f7fffff), FLAG_NX);
  CHECK_FP(XF("fcvt.s.l ft3, %2", 0x8000000000000000ul, flags), BOX(0xdf000000), 0);
  CHECK_FP(XF("fcvt.s.l ft3, %2", 3, flags), BOX(THREE), 0);
  CHECK_FP(XF("fcvt.s.lu ft3, %2", 0xfffffffffffffffful, flags), BOX(0x5f800000), FLAG_NX);
  CHECK_FP(XF("fcvt.s.lu ft3, %2", 0, flags), BOX(PZERO), 0);
}

static void test_load_store(void) {
  static volatile uint32_t mem[4] = {0, 0x40490fdb, 0, 0};
  uint64_t v;
  __asm__ volatile("flw ft0, 4(%1)\nfsw ft0, 12(%1)\nfmv.x.w %0, ft0" : "=r"(v) : "r"(mem) : "ft0", "memory");
  CHECK_EQ(v, 0x40490fdb);
  CHECK_EQ(mem[3], 0x40490fdb);
}

/* mstatus.FS: Off makes every FP instruction and FP CSR illegal; any FP
 * register or fcsr write makes it Dirty (and sets SD). */
static void test_fs_field(void) {
  csr_clear(mstatus, MSTATUS_FS);
  expect_trap();
  __asm__ volatile("fadd.s ft3, ft0, ft1" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile("fmv.w.x ft3, zero" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  __asm__ volatile("flw ft3, 0(sp)" ::: "ft3");
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  expect_trap();
  (void)csr_read(fcsr);
  CHECK_EQ(m_expect.rec.cause, CAUSE_ILLEGAL_INSTRUCTION);
  CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, 0);
  csr_set(mstatus, MSTATUS_FS_CLEAN);
  CHECK_EQ(csr_read(mstatus) & (MSTATUS_FS | MSTATUS_SD), MSTATUS_FS_CLEAN);
  __asm__ volatile("fmv.w.x ft3, zero" ::: "ft3");
  CHECK_EQ(csr_read(mstatus) & MSTATUS_FS, MSTATUS_FS_DIRTY);
  CHECK(csr_read(mstatus) & MSTATUS_SD);
  csr_clear(mstatus, MSTATUS_FS);
  csr_set(mstatus, MSTATUS_FS_INITIAL);
  csr_write(fflags, 0);
  CHECK_EQ(csr_read(mstatus) & MSTATUS_FS, MSTATUS_FS_DIRTY);
  csr_clear(mstatus, MSTATUS_FS);
  csr_set(mstatus, MSTATUS_FS_CLEAN);
  __asm__ volatile("fadd.s ft3, ft0, ft1" ::: "ft3");
  CHECK_EQ(csr_read(mstatus) & MSTATUS_FS, MSTATUS_FS_DIRTY);
  /* sstatus shows the same FS and SD */
  CHECK_EQ(csr_read(sstatus) & (MSTATUS_FS | MSTATUS_SD), MSTATUS_FS_DIRTY | MSTATUS_SD);
}

int main(void) {
  test_arithmetic();
  test_flags();
  test_rounding_modes_static();
  test_rounding_modes_dynamic();
  test_nan_boxing();
  test_min_max();
  test_compare_classify();
  test_sign_injection_and_moves();
  test_conversions();
  test_load_store();
  test_fs_field();
  return 0;
}
