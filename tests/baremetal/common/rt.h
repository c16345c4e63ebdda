/* Shared runtime for the bare-metal test programs: CSR access, console,
 * result reporting, trap capture and privilege switching. */
#ifndef FTVM_BAREMETAL_RT_H
#define FTVM_BAREMETAL_RT_H

#include <stdint.h>

#define UART_BASE 0x10000000ul
#define FINISHER_BASE 0x100000ul
#define CLINT_BASE 0x2000000ul
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define PLIC_BASE 0xc000000ul
#define UART_IRQ 10

/* mstatus fields */
#define MSTATUS_SIE (1ul << 1)
#define MSTATUS_MIE (1ul << 3)
#define MSTATUS_SPIE (1ul << 5)
#define MSTATUS_MPIE (1ul << 7)
#define MSTATUS_SPP (1ul << 8)
#define MSTATUS_MPP (3ul << 11)
#define MSTATUS_MPP_S (1ul << 11)
#define MSTATUS_MPP_M (3ul << 11)
#define MSTATUS_FS (3ul << 13)
#define MSTATUS_FS_INITIAL (1ul << 13)
#define MSTATUS_FS_CLEAN (2ul << 13)
#define MSTATUS_FS_DIRTY (3ul << 13)
#define MSTATUS_MPRV (1ul << 17)
#define MSTATUS_SUM (1ul << 18)
#define MSTATUS_MXR (1ul << 19)
#define MSTATUS_TVM (1ul << 20)
#define MSTATUS_TW (1ul << 21)
#define MSTATUS_TSR (1ul << 22)
#define MSTATUS_SD (1ul << 63)

/* interrupt numbers (mip/mie bit positions, mcause codes) */
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define CAUSE_INTERRUPT (1ul << 63)

/* exception causes */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define STR_(x) #x
#define STR(x) STR_(x)

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint64_t v_; __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(val)) : "memory"); v_; })

static inline void mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t*)addr = v; }
static inline uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t*)addr; }
static inline void mmio_write64(uint64_t addr, uint64_t v) { *(volatile uint64_t*)addr = v; }
static inline uint64_t mmio_read64(uint64_t addr) { return *(volatile uint64_t*)addr; }

/* Console. */
void put_char(char c);
void put_str(const char* s);
void put_hex(uint64_t v);
void put_dec(uint64_t v);

/* Result. The exit status of a failing program is 1 + line % 254 (a process
 * exit status keeps only 8 bits, and it must never wrap to 0); the full file
 * and line are printed on the console. Code 255 (never produced by CHECK) means
 * an unexpected trap, whose cause and pc are printed. */
__attribute__((noreturn)) void pass(void);
__attribute__((noreturn)) void fail_at(const char* file, int line, const char* what);
__attribute__((noreturn)) void fail_code(unsigned code);

#define CHECK(cond) do { if (!(cond)) fail_at(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ(a, b) do { uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
    if (a_ != b_) { put_str("  got "); put_hex(a_); put_str(" want "); put_hex(b_); put_char('\n'); \
      fail_at(__FILE__, __LINE__, #a " == " #b); } } while (0)

/* Registers as saved by the trap entry code, x0..x31 then the trapping pc. */
struct trap_frame {
  uint64_t x[32];
  uint64_t pc;
};

/* What the last expected exception looked like. */
struct trap_record {
  uint64_t count;  /* exceptions taken since arming */
  uint64_t cause;
  uint64_t epc;
  uint64_t tval;
  uint64_t prev_mode;  /* MPP / SPP at the trap */
  uint64_t status;     /* mstatus / sstatus at the trap */
};

/* Exceptions taken in M (and in S, for delegated ones). When armed, an
 * exception is recorded and execution resumes after the faulting instruction
 * (or at `resume` if non-zero, which fetch faults need). Unexpected exceptions
 * fail the program. */
struct trap_expect {
  volatile int armed;
  volatile uint64_t resume;
  volatile struct trap_record rec;
};
extern struct trap_expect m_expect, s_expect;

void arm_trap(struct trap_expect* e);
/* Arms the M-mode capture (the common case). */
static inline void expect_trap(void) { arm_trap(&m_expect); }

/* An optional per-program hook for interrupts (and anything else): returns 1
 * when it handled the trap. */
typedef int (*trap_hook_fn)(struct trap_frame* f, uint64_t cause);
extern volatile trap_hook_fn m_hook, s_hook;

/* Runs fn(arg) in mode PRV_U or PRV_S (with mstatus as it is otherwise) and
 * returns its result in M-mode. The lower mode gets back to M with an ecall
 * (delegated user ecalls are forwarded by the S handler). */
typedef uint64_t (*lower_fn)(uint64_t arg);
uint64_t run_in_mode(unsigned mode, lower_fn fn, uint64_t arg);

/* Installs the S-mode trap vector (stvec) that uses s_expect and s_hook. */
void install_s_trap_vector(void);

/* Assembly symbols */
extern char trap_entry_m[], trap_entry_s[];
extern char __user_text_start[], __user_text_end[], __user_data_start[], __user_data_end[];
extern char __image_end[];

/* Length of the instruction at a physical (or identity-mapped) address. */
static inline unsigned insn_length(uint64_t addr) {
  return ((*(volatile uint16_t*)addr) & 3) == 3 ? 4 : 2;
}

/* QEMU 7.x (the reference; its marchid encodes its version as 0x07mmuu)
 * departs from the spec in a few documented places, e.g. misaligned AMOs
 * report a load- rather than a store/AMO-misaligned trap. Checks loosen only
 * where this returns true, so our machine is always held to the spec. */
static inline int running_on_qemu7(void) {
  uint64_t arch = csr_read(marchid);
  return csr_read(mvendorid) == 0 && (arch >> 16) == 7;
}

/* The cause an AMO reports for a misaligned (6) or access (7) fault: QEMU 7
 * reports the load-class cause (4, 5) instead. (Its AMO page faults are
 * right: 15.) */
static inline uint64_t amo_cause(uint64_t store_cause) {
  return running_on_qemu7() ? store_cause - 2 : store_cause;
}
static inline uint64_t misaligned_amo_cause(void) { return amo_cause(CAUSE_MISALIGNED_STORE); }

int main(void);

#endif
