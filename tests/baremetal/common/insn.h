/* Inline-assembly wrappers that run one instruction on given operands and
 * return rd. The 32-bit encodings are forced (norvc) so that each test
 * exercises exactly the instruction it names. */
#ifndef FTVM_BAREMETAL_INSN_H
#define FTVM_BAREMETAL_INSN_H

#include <stdint.h>

#define NORVC(body) ".option push\n.option norvc\n" body "\n.option pop\n"

#define OP_RR(op, a, b) ({ uint64_t r_; \
  __asm__ volatile(NORVC(op " %0, %1, %2") : "=r"(r_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); r_; })
#define OP_RI(op, a, imm) ({ uint64_t r_; \
  __asm__ volatile(NORVC(op " %0, %1, %2") : "=r"(r_) : "r"((uint64_t)(a)), "i"(imm)); r_; })
#define OP_R(op, a) ({ uint64_t r_; \
  __asm__ volatile(NORVC(op " %0, %1") : "=r"(r_) : "r"((uint64_t)(a))); r_; })

#endif
