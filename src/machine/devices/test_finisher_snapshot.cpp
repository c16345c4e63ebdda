// Test-finisher snapshot: whether the guest asked for power-off or reset.
#include "machine/devices/test_finisher.h"

#include <string>

namespace ftvm::machine {

void TestFinisher::save_state(SnapshotWriter& w) const {
  w.section("FINI");
  w.u8(static_cast<std::uint8_t>(state_));
  w.u32(static_cast<std::uint32_t>(exit_code_));
}

void TestFinisher::restore_state(SnapshotReader& r) {
  r.section("FINI");
  std::uint8_t state = r.u8();
  if (state > static_cast<std::uint8_t>(State::kReset)) r.fail("test finisher state " + std::to_string(state));
  auto exit_code = static_cast<int>(r.u32());
  state_ = static_cast<State>(state);
  exit_code_ = exit_code;
}

}  // namespace ftvm::machine
