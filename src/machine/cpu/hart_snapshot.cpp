// Hart snapshot: copying the architectural state out of and into the engine.
// A restore checks the state is one the hart could reach by itself, because
// the engine's fast paths rely on WARL fields holding legal values.
#include <algorithm>
#include <string>

#include "machine/core/error.h"
#include "machine/cpu/engine.h"
#include "machine/cpu/hart.h"

namespace ftvm::machine {

namespace {

using namespace cpu;

constexpr std::uint64_t kMstatusLegal = mstatus::kWritable | mstatus::kResetValue;

void check(bool ok, const std::string& what) {
  if (!ok) throw Error("hart snapshot holds an impossible state: " + what);
}

void check_state(const HartState& s) {
  check(s.privilege == kPrivU || s.privilege == kPrivS || s.privilege == kPrivM,
        "privilege level " + std::to_string(s.privilege));
  check((s.pc & 1) == 0, "pc is odd");
  const CsrState& c = s.csr;
  check((c.mip_lines & ~(kMipMsip | kMipMtip | kMipMeip | kMipSeip)) == 0, "mip holds lines no device drives");
  check((c.mstatus & ~kMstatusLegal) == 0 && (c.mstatus & mstatus::kResetValue) == mstatus::kResetValue,
        "mstatus holds unimplemented bits");
  check(((c.mstatus & mstatus::kMpp) >> mstatus::kMppShift) != 2, "mstatus.MPP holds the reserved level 2");
  std::uint64_t mode = c.satp >> 60;
  check(mode == 0 || mode == 8 || mode == 9, "satp mode " + std::to_string(mode));
  check(c.frm <= 7 && c.fflags <= 0x1f, "fcsr holds unimplemented bits");
  check((c.mie & ~kMieWritable) == 0, "mie holds unimplemented bits");
  check((c.mip_software & ~kMipSoftwareWritable) == 0, "mip holds unimplemented software bits");
  check((c.mideleg & ~kMidelegWritable) == 0 && (c.medeleg & ~kMedelegWritable) == 0,
        "delegation registers hold unimplemented bits");
}

}  // namespace

HartState Hart::save_state() const {
  const Engine& e = *engine_;
  HartState s;
  std::copy(e.x, e.x + 32, s.x.begin());
  std::copy(e.f, e.f + 32, s.f.begin());
  s.pc = e.pc;
  s.privilege = e.priv;
  s.csr = e.csr;
  s.reservation_valid = e.reservation_valid;
  s.reservation_addr = e.reservation_addr;
  s.wfi = e.wfi;
  s.instret = e.instret;
  return s;
}

void Hart::restore_state(const HartState& s) {
  check_state(s);
  Engine& e = *engine_;
  std::copy(s.x.begin(), s.x.end(), e.x);
  e.x[0] = 0;
  std::copy(s.f.begin(), s.f.end(), e.f);
  e.pc = s.pc;
  e.priv = s.privilege;
  e.csr = s.csr;
  e.reservation_valid = s.reservation_valid;
  e.reservation_addr = s.reservation_addr;
  e.wfi = s.wfi;
  e.instret = s.instret;
  // Nothing the engine cached describes the new state: translations, decoded
  // code and the TLB context pointers all go, and interrupts are re-checked.
  e.irq_check = true;
  e.event = false;
  e.trap_streak = 0;
  e.flush_caches();
}

}  // namespace ftvm::machine
