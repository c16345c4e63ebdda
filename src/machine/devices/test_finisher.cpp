#include "machine/devices/test_finisher.h"

namespace ftvm::machine {

void TestFinisher::mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
  if (offset != 0 || size < 2 || state_ != State::kRunning) return;
  auto word = static_cast<std::uint32_t>(value);
  std::uint32_t command = word & 0xffff;
  Output o;
  o.device = 0;
  if (command == kPass) {
    state_ = State::kPowerOff;
    exit_code_ = 0;
  } else if (command == kFail) {
    state_ = State::kPowerOff;
    std::uint32_t code = size >= 4 ? word >> 16 : 0;
    // A failure must never look like success to the host.
    exit_code_ = code == 0 ? 1 : static_cast<int>(code);
  } else if (command == kReset) {
    state_ = State::kReset;
  } else {
    return;
  }
  o.kind = state_ == State::kReset ? OutputKind::kReset : OutputKind::kPowerOff;
  o.offset = static_cast<std::uint64_t>(exit_code_);
  out_.emit(std::move(o));
  hart_.request_stop();
}

void TestFinisher::hash_state(StateHasher& h) const {
  h.label("finisher");
  h.value(state_);
  h.value(exit_code_);
}

}  // namespace ftvm::machine
