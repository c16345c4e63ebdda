// Trap entry (exceptions and interrupts, with medeleg/mideleg delegation and
// direct/vectored xtvec), interrupt selection, and MRET/SRET.
#include "machine/cpu/engine.h"

namespace ftvm::machine {

using namespace cpu;

namespace {

using u64 = std::uint64_t;

u64 trap_target(u64 tvec, u64 cause, bool interrupt) {
  u64 base = tvec & ~3ull;
  return (interrupt && (tvec & 1)) ? base + 4 * cause : base;
}

// Interrupt causes in the spec's priority order.
constexpr unsigned kPriority[] = {11, 3, 7, 9, 1, 5};  // MEI MSI MTI SEI SSI STI

}  // namespace

void Hart::Engine::take_trap(u64 cause_code, u64 tval, bool interrupt) {
  u64 deleg = interrupt ? csr.mideleg : csr.medeleg;
  bool to_s = priv <= kPrivS && ((deleg >> cause_code) & 1);
  u64 cause_value = cause_code | (interrupt ? 1ull << 63 : 0);
  u64& ms = csr.mstatus;
  if (to_s) {
    csr.scause = cause_value;
    csr.sepc = pc;
    csr.stval = tval;
    ms = (ms & ~mstatus::kSpie) | ((ms & mstatus::kSie) ? mstatus::kSpie : 0);
    ms &= ~mstatus::kSie;
    ms = (ms & ~mstatus::kSpp) | (priv == kPrivS ? mstatus::kSpp : 0);
    priv = kPrivS;
    pc = trap_target(csr.stvec, cause_code, interrupt);
  } else {
    csr.mcause = cause_value;
    csr.mepc = pc;
    csr.mtval = tval;
    ms = (ms & ~mstatus::kMpie) | ((ms & mstatus::kMie) ? mstatus::kMpie : 0);
    ms &= ~mstatus::kMie;
    ms = (ms & ~mstatus::kMpp) | (static_cast<u64>(priv) << mstatus::kMppShift);
    priv = kPrivM;
    pc = trap_target(csr.mtvec, cause_code, interrupt);
  }
  reservation_valid = false;
  wfi = false;
  irq_check = true;
  ++trap_streak;
  update_contexts();
}

bool Hart::Engine::take_pending_interrupt() {
  u64 pending = csr.mip() & csr.mie;
  if (pending == 0) return false;
  // M-level interrupts are enabled below M always, in M only with MIE.
  bool m_enabled = priv < kPrivM || (csr.mstatus & mstatus::kMie);
  // Delegated ones: always below S, in S with SIE, never in M.
  bool s_enabled = priv < kPrivS || (priv == kPrivS && (csr.mstatus & mstatus::kSie));
  u64 m_set = m_enabled ? pending & ~csr.mideleg : 0;
  u64 s_set = s_enabled ? pending & csr.mideleg : 0;
  u64 chosen = m_set != 0 ? m_set : s_set;
  if (chosen == 0) return false;
  for (unsigned c : kPriority) {
    if ((chosen >> c) & 1) {
      take_trap(c, 0, true);
      return true;
    }
  }
  return false;
}

const Op* Hart::Engine::do_mret(const Op*) {
  if (priv != kPrivM) return raise_illegal();
  u64& ms = csr.mstatus;
  auto previous = static_cast<unsigned>((ms >> mstatus::kMppShift) & 3);
  ms = (ms & ~mstatus::kMie) | ((ms & mstatus::kMpie) ? mstatus::kMie : 0);
  ms |= mstatus::kMpie;
  ms &= ~mstatus::kMpp;  // to U
  if (previous != kPrivM) ms &= ~mstatus::kMprv;
  priv = previous;
  pc = csr.mepc;
  reservation_valid = false;
  irq_check = true;
  update_contexts();
  return nullptr;
}

const Op* Hart::Engine::do_sret(const Op*) {
  if (priv == kPrivU || (priv == kPrivS && (csr.mstatus & mstatus::kTsr))) return raise_illegal();
  u64& ms = csr.mstatus;
  unsigned previous = (ms & mstatus::kSpp) ? kPrivS : kPrivU;
  ms = (ms & ~mstatus::kSie) | ((ms & mstatus::kSpie) ? mstatus::kSie : 0);
  ms |= mstatus::kSpie;
  ms &= ~mstatus::kSpp;
  ms &= ~mstatus::kMprv;  // sret always returns below M
  priv = previous;
  pc = csr.sepc;
  reservation_valid = false;
  irq_check = true;
  update_contexts();
  return nullptr;
}

}  // namespace ftvm::machine
