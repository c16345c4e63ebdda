// Power-on reset of the platform devices, for the machine's warm reset (a
// guest reboot through the test finisher). Each device returns to the state
// its constructor gives it and re-drives its interrupt line, so nothing of
// the previous boot reaches the next one through a device.
#include "machine/devices/clint.h"
#include "machine/devices/plic.h"
#include "machine/devices/test_finisher.h"
#include "machine/devices/uart16550.h"

namespace ftvm::machine {

void Plic::power_on_reset() {
  priority_.fill(0);
  claimed_ = 0;
  // Level-triggered gateways: a source whose line is still high is pending
  // again at once (with priority 0 it cannot interrupt until configured).
  pending_ = level_;
  enable_.fill(0);
  threshold_.fill(0);
  update_lines();
}

void Clint::power_on_reset() {
  msip_ = false;
  mtimecmp_ = UINT64_MAX;
  hart_.set_line(HartLine::kMachineSoftware, false);
  update_timer_line();
}

void Uart16550::power_on_reset() {
  rx_.clear();
  ier_ = lcr_ = mcr_ = scr_ = dll_ = dlm_ = 0;
  fifo_enabled_ = false;
  overrun_ = false;
  thre_pending_ = false;
  update_irq();
}

void TestFinisher::power_on_reset() {
  state_ = State::kRunning;
  exit_code_ = 0;
}

}  // namespace ftvm::machine
