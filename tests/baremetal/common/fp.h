/* Helpers for the F/D tests: operands travel as raw bit patterns (so every
 * expected value is an exact encoding), fflags are cleared before each
 * operation and read back after it. ft0..ft2 are the sources, ft3 the
 * destination. */
#ifndef FTVM_BAREMETAL_FP_H
#define FTVM_BAREMETAL_FP_H

#include <stdint.h>

/* A single-precision value as it sits NaN-boxed in a 64-bit register. */
#define BOX(x) (0xffffffff00000000ul | (uint32_t)(x))

#define FLAG_NX 0x01
#define FLAG_UF 0x02
#define FLAG_OF 0x04
#define FLAG_DZ 0x08
#define FLAG_NV 0x10

/* Runs `body` (which writes ft3) on ft0=a, ft1=b, ft2=c; returns ft3's bits
 * and stores the accrued flags in *flags. */
#define FF3(body, a, b, c, flags) ({ uint64_t r_, f_; \
  __asm__ volatile("fmv.d.x ft0, %2\nfmv.d.x ft1, %3\nfmv.d.x ft2, %4\ncsrwi fflags, 0\n" body \
                   "\nfrflags %1\nfmv.x.d %0, ft3" \
                   : "=r"(r_), "=r"(f_) : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"((uint64_t)(c)) \
                   : "ft0", "ft1", "ft2", "ft3"); *(flags) = f_; r_; })
#define FF(body, a, b, flags) FF3(body, a, b, 0, flags)
/* `body` reads ft0/ft1 and writes the integer %0. */
#define FX(body, a, b, flags) ({ uint64_t r_, f_; \
  __asm__ volatile("fmv.d.x ft0, %2\nfmv.d.x ft1, %3\ncsrwi fflags, 0\n" body "\nfrflags %1" \
                   : "=&r"(r_), "=&r"(f_) : "r"((uint64_t)(a)), "r"((uint64_t)(b)) : "ft0", "ft1"); \
  *(flags) = f_; r_; })
/* `body` reads the integer %2 and writes ft3. */
#define XF(body, x, flags) ({ uint64_t r_, f_; \
  __asm__ volatile("csrwi fflags, 0\n" body "\nfrflags %1\nfmv.x.d %0, ft3" \
                   : "=r"(r_), "=r"(f_) : "r"((uint64_t)(x)) : "ft3"); *(flags) = f_; r_; })

/* Checks value and flags together, printing both on a mismatch. */
#define CHECK_FP(expr, want, want_flags) do { uint64_t fl_; uint64_t *flags = &fl_; \
    uint64_t got_ = (expr); (void)flags; \
    if (got_ != (uint64_t)(want) || fl_ != (uint64_t)(want_flags)) { \
      put_str("  got "); put_hex(got_); put_str(" flags "); put_hex(fl_); \
      put_str(" want "); put_hex((uint64_t)(want)); put_str(" flags "); put_hex((uint64_t)(want_flags)); \
      put_char('\n'); fail_at(__FILE__, __LINE__, #expr); } } while (0)

#endif
