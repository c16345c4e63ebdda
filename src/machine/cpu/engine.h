#pragma once
// The hart's engine: architectural state plus the machinery that executes it
// fast (decode cache of pre-decoded ops with direct handler pointers, a
// software TLB with host pointers for RAM pages).
//
// Counting rules (the contract run(limit) and the replay log rely on):
//  - instret_ is the host-visible count. It grows by exactly 1 for every
//    retired instruction and by nothing else; run(limit) stops with
//    instret_ == limit exactly, even in the middle of a straight-line run.
//  - An instruction that raises an exception does not retire; that includes
//    ecall and ebreak. Taking an interrupt retires nothing.
//  - WFI retires when executed. If (mip & mie) == 0 the hart then waits:
//    run() returns kWfi at once without retiring anything until an interrupt
//    is pending in mip & mie (enabled globally or not), then continues with
//    the interrupt trap or the next instruction.
//  - The guest-visible mcycle/minstret (cycle == instret) are that count plus
//    a guest-written offset; they are guest state, instret_ is not guest-
//    writable. A hart reset leaves instret_ alone (it is the machine's clock)
//    and zeroes the guest counters.
//  - Interrupts are evaluated at an instruction boundary only after an event
//    that can make one deliverable: entering run(), a CSR write, xRET, a trap,
//    an MMIO access, set_interrupt_line(). Where the host stops run() never
//    changes where an interrupt is taken: one that became deliverable at count
//    N is taken before instruction N+1 retires, either in this run or at the
//    start of the next.
//  - An MMIO store ends run() with kEvent after it retires.
//  - A hart stuck in a trap loop that retires nothing (e.g. mtvec points at
//    unmapped memory) returns kEvent after kMaxTrapStreak consecutive traps,
//    so the host is never trapped inside run(); instret() shows no progress.
//
// Handlers (exec_*.cpp) read and write the members directly: this class is the
// private implementation of Hart and deliberately a plain bag of state.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "machine/core/bus.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/csr_defs.h"
#include "machine/cpu/csr_state.h"
#include "machine/cpu/decode_cache.h"
#include "machine/cpu/hart.h"
#include "machine/cpu/op.h"
#include "machine/cpu/tlb.h"
#include "machine/cpu/translator.h"

namespace ftvm::machine {

enum class Access : std::uint8_t { kFetch, kLoad, kStore };

class Hart::Engine {
 public:
  Engine(Bus& bus, const VirtualClock& clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void reset(std::uint64_t pc);
  HartStop run(Instret limit);
  void set_interrupt_line(std::uint64_t mip_bit, bool level);
  void set_engine(EngineKind kind);
  EngineKind engine_kind() const { return translator ? EngineKind::kJit : EngineKind::kInterpreter; }
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }
  void flush_caches();
  void hash_state(StateHasher& h) const;

  // ---- architectural state ----
  std::uint64_t x[33] = {};  // x[32] is the sink for writes to x0
  std::uint64_t f[32] = {};
  std::uint64_t pc = 0;
  unsigned priv = cpu::kPrivM;
  cpu::CsrState csr;
  bool reservation_valid = false;
  std::uint64_t reservation_addr = 0;  // physical
  bool wfi = false;
  Instret instret = 0;

  // ---- engine state (not architectural) ----
  Bus& bus;
  GuestRam& ram;
  const VirtualClock& clock;
  bool irq_check = true;  // re-evaluate interrupts at the next boundary
  bool event = false;     // run() must return kEvent at the next boundary
  // Traps taken since instret last moved: a guest whose trap vector itself
  // faults would otherwise spin inside run() forever without retiring.
  unsigned trap_streak = 0;
  std::atomic<bool> stop_requested_{false};
  cpu::Tlb tlb;
  cpu::TlbEntry* load_tlb = nullptr;   // current data context
  cpu::TlbEntry* store_tlb = nullptr;
  cpu::FetchTlbEntry* fetch_tlb = nullptr;
  cpu::DecodeCache decode_cache;
  cpu::DecodedPage* cur_page = nullptr;  // the page the inner loop runs in
  // JIT engine: null while the interpreter is selected.
  std::unique_ptr<cpu::Translator> translator;
  Instret native_limit = 0;      // the current run()'s limit, for translated blocks
  std::uint64_t code_epoch = 0;  // bumped whenever decoded code is invalidated

  // ---- helpers for handlers ----
  const cpu::Op* next(const cpu::Op* op) {
    pc += op->len;
    return op + (op->len >> 1);
  }
  // Jumps to `target`; continues in the same decoded page when possible.
  const cpu::Op* jump(const cpu::Op* op, std::uint64_t target) {
    std::uint64_t from = pc;
    pc = target;
    if (((target ^ from) >> 12) == 0) return op + (static_cast<std::int64_t>(target - from) >> 1);
    return nullptr;
  }
  // Raises an exception from inside a handler: the instruction does not retire.
  const cpu::Op* raise(std::uint64_t cause, std::uint64_t tval) {
    take_trap(cause, tval, false);
    --instret;  // the loop counts every handler call; this one did not retire
    return nullptr;
  }
  // Illegal instruction whose bits are re-read from memory (for checks that
  // depend on run-time state: FS, frm, CSR permissions).
  const cpu::Op* raise_illegal() { return raise(cpu::cause::kIllegal, current_insn_bits()); }

  template <typename T>
  bool load_fast(std::uint64_t va, T& v) const {
    const cpu::TlbEntry& e = load_tlb[cpu::tlb_set(va)];
    if (e.tag == (va >> 12) && (va & 0xfff) <= kPageSize - sizeof(T)) {
      std::memcpy(&v, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
      return true;
    }
    return false;
  }
  template <typename T>
  bool store_fast(std::uint64_t va, T v) {
    const cpu::TlbEntry& e = store_tlb[cpu::tlb_set(va)];
    if (e.tag == (va >> 12) && (va & 0xfff) <= kPageSize - sizeof(T)) {
      std::memcpy(reinterpret_cast<void*>(va + e.addend), &v, sizeof(T));
      return true;
    }
    return false;
  }
  // Slow paths (memory_access.cpp): any alignment, page crossing, MMIO, TLB
  // fill. false means an exception was raised (and counted as not retired).
  bool load_slow(std::uint64_t va, unsigned size, std::uint64_t& value);
  bool store_slow(std::uint64_t va, unsigned size, std::uint64_t value);
  // Host pointer for an aligned atomic access (AMO, LR, SC) to RAM; after a
  // write the caller calls finish_atomic_store(). nullptr: exception raised.
  std::uint8_t* atomic_host(std::uint64_t va, unsigned size, Access access, std::uint64_t& pa);
  void finish_atomic_store(std::uint64_t pa, unsigned size) { ram.note_write(pa, size); }

  // Address translation (mmu.cpp). Returns -1 or the exception cause.
  int translate(std::uint64_t va, Access access, std::uint64_t& pa, bool& superpage);
  unsigned data_privilege() const {
    if (priv == cpu::kPrivM && (csr.mstatus & cpu::mstatus::kMprv))
      return static_cast<unsigned>((csr.mstatus >> cpu::mstatus::kMppShift) & 3);
    return priv;
  }
  // Points the TLB context pointers at the arrays for the current state.
  void update_contexts();

  // Traps (trap.cpp).
  void take_trap(std::uint64_t cause, std::uint64_t tval, bool interrupt);
  bool take_pending_interrupt();
  const cpu::Op* do_mret(const cpu::Op* op);
  const cpu::Op* do_sret(const cpu::Op* op);

  // CSRs (csr.cpp). false: illegal instruction.
  bool csr_read(unsigned num, std::uint64_t& value) const;
  bool csr_write(unsigned num, std::uint64_t value);
  // Value without privilege checks; 0 for unknown numbers.
  std::uint64_t csr_peek(unsigned num) const;
  bool fp_enabled() const { return (csr.mstatus & cpu::mstatus::kFs) != 0; }
  void mark_fp_dirty() { csr.mstatus |= cpu::mstatus::kFsDirty; }

  // Fetch (engine.cpp).
  const cpu::Op* lookup_fetch();
  // Decodes a slot of a page if it is not yet; false for a 4-byte
  // instruction in the last slot (it straddles the page end: never cached).
  bool decode_slot(cpu::DecodedPage& page, unsigned slot);
  // JIT: runs the translated block at `op` (translating it first); returns
  // the op the interpreter must continue with, or nullptr for the outer loop.
  const cpu::Op* run_native(const cpu::Op* op, Instret limit);
  const cpu::Op* execute_cross_page(std::uint16_t low_half);
  void ensure_code_page(cpu::DecodedPage& page);
  std::uint64_t current_insn_bits();
  void on_code_write(std::uint64_t page_index);
  void drop_decoded_code();

  std::uint64_t guest_counter(std::uint64_t offset, std::uint64_t frozen, unsigned inhibit_bit) const {
    return (csr.mcountinhibit >> inhibit_bit) & 1 ? frozen : instret + offset;
  }
};

namespace cpu {
// Decoders (decoder.cpp and exec_*.cpp): fill `op` for a 32-bit instruction;
// false when the encoding is not one of theirs or is illegal.
Op decode(std::uint32_t insn, unsigned len);
std::uint32_t expand_compressed(std::uint16_t c);  // 0: illegal
bool decode_int(std::uint32_t insn, Op& op);
bool decode_branch(std::uint32_t insn, Op& op);
bool decode_mem(std::uint32_t insn, Op& op);
bool decode_amo(std::uint32_t insn, Op& op);
bool decode_fp(std::uint32_t insn, Op& op);
bool decode_system(std::uint32_t insn, Op& op);
}  // namespace cpu

}  // namespace ftvm::machine
