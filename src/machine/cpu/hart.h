#pragma once
// One RV64GC hart (M/S/U, Sv39/Sv48) with an exact retired-instruction count.
// The public API below is what the rest of the machine uses; the engine
// (decoder, decode cache, TLB, interpreter) lives behind it.
#include <array>
#include <cstdint>
#include <memory>

#include "machine/core/bus.h"
#include "machine/core/instret.h"
#include "machine/core/state_hasher.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/csr_state.h"

namespace ftvm::machine {

enum class HartStop {
  kLimit,  // instret() == limit
  kWfi,    // in WFI with no interrupt pending in mip & mie
  kEvent,  // after an MMIO store or request_stop(): the machine must look at devices
};

// mip bits driven by platform devices.
inline constexpr std::uint64_t kMipSsip = 1ull << 1;
inline constexpr std::uint64_t kMipMsip = 1ull << 3;
inline constexpr std::uint64_t kMipStip = 1ull << 5;
inline constexpr std::uint64_t kMipMtip = 1ull << 7;
inline constexpr std::uint64_t kMipSeip = 1ull << 9;
inline constexpr std::uint64_t kMipMeip = 1ull << 11;

// How the hart executes guest code. Both give bit-identical guest behaviour
// and instruction counts; the interpreter is the reference.
enum class EngineKind : std::uint8_t {
  kInterpreter,  // pre-decoded ops, one handler call each
  kJit,          // straight-line blocks translated to x86-64, interpreter fallback
};

// The hart's complete architectural state as plain data, for snapshots (live
// clone): what hash_state() covers, and nothing of the engine's caches.
struct HartState {
  std::array<std::uint64_t, 32> x{};
  std::array<std::uint64_t, 32> f{};
  std::uint64_t pc = 0;
  unsigned privilege = 3;
  cpu::CsrState csr;  // includes the minstret/mcycle offsets from the host count
  bool reservation_valid = false;
  std::uint64_t reservation_addr = 0;
  bool wfi = false;
  Instret instret = 0;  // the host-visible count: the machine's clock
};

class Hart {
 public:
  // clock: the time CSR reads clock.mtime(instret at that instruction).
  Hart(Bus& bus, const VirtualClock& clock);
  ~Hart();
  Hart(const Hart&) = delete;
  Hart& operator=(const Hart&) = delete;

  // Power-on state: M-mode, pc, all registers and CSRs at reset values.
  void reset(std::uint64_t pc);
  // Executes until instret() == limit (stopping mid-block if needed), or
  // earlier with kWfi / kEvent. Pending-and-enabled interrupts are taken at
  // the first instruction boundary at which they are, so where the host
  // chooses to stop never changes what the guest does.
  HartStop run(Instret limit);
  Instret instret() const;

  // Level of a device-driven interrupt line (kMipMeip, kMipSeip, kMipMtip, kMipMsip).
  void set_interrupt_line(std::uint64_t mip_bit, bool level);
  // Makes the current run() return kEvent at the next instruction boundary.
  void request_stop();

  std::uint64_t pc() const;
  void set_pc(std::uint64_t pc);
  std::uint64_t xreg(unsigned i) const;
  void set_xreg(unsigned i, std::uint64_t v);
  std::uint64_t freg(unsigned i) const;
  // Reads a CSR by number without side effects or privilege checks (debug, tests).
  std::uint64_t csr(unsigned num) const;
  unsigned privilege() const;  // 0 = U, 1 = S, 3 = M
  bool waiting_for_interrupt() const;

  // Selects the execution engine (takes effect at the next run()); never
  // guest-visible. kJit falls back to the interpreter on hosts it does not
  // support, which engine() then reports.
  void set_engine(EngineKind kind);
  EngineKind engine() const;

  // Drops decoded blocks and TLB entries; never guest-visible.
  void flush_caches();
  void hash_state(StateHasher& h) const;

  HartState save_state() const;
  // Replaces the whole architectural state (after checking it is one the hart
  // can be in; ftvm::Error otherwise, with nothing changed) and drops every
  // decoded block and TLB entry, since RAM may have changed under them.
  void restore_state(const HartState& s);

  class Engine;

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace ftvm::machine
