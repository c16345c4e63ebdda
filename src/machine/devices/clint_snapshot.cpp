// CLINT snapshot: msip and mtimecmp. The MTIP line is derived (clock, count,
// mtimecmp) and the machine re-drives it after a restore.
#include "machine/devices/clint.h"

namespace ftvm::machine {

void Clint::save_state(SnapshotWriter& w) const {
  w.section("CLNT");
  w.boolean(msip_);
  w.u64(mtimecmp_);
}

void Clint::restore_state(SnapshotReader& r) {
  r.section("CLNT");
  msip_ = r.boolean();
  mtimecmp_ = r.u64();
}

}  // namespace ftvm::machine
