#include "machine/devices/clint.h"

#include "machine/devices/register_access.h"

namespace ftvm::machine {

std::uint64_t Clint::mmio_read(std::uint64_t offset, unsigned size) {
  if (offset < kMsip + 4) return read_register_part(msip_ ? 1 : 0, offset - kMsip, size);
  if (offset >= kMtimecmp && offset < kMtimecmp + 8) return read_register_part(mtimecmp_, offset - kMtimecmp, size);
  if (offset >= kMtime && offset < kMtime + 8)
    return read_register_part(clock_.mtime(hart_.instret()), offset - kMtime, size);
  return 0;
}

void Clint::mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
  if (offset < kMsip + 4) {
    // Only bit 0 of the first byte is implemented.
    if (offset == kMsip) {
      msip_ = (value & 1) != 0;
      hart_.set_line(HartLine::kMachineSoftware, msip_);
    }
    return;
  }
  if (offset >= kMtimecmp && offset < kMtimecmp + 8) {
    mtimecmp_ = write_register_part(mtimecmp_, offset - kMtimecmp, size, value);
    update_timer_line();
    return;
  }
  if (offset >= kMtime && offset < kMtime + 8) {
    Instret now = hart_.instret();
    clock_.set(now, write_register_part(clock_.mtime(now), offset - kMtime, size, value));
    update_timer_line();
  }
}

void Clint::update_timer_line() { hart_.set_line(HartLine::kMachineTimer, clock_.mtime(hart_.instret()) >= mtimecmp_); }

void Clint::hash_state(StateHasher& h) const {
  h.label("clint");
  h.value(static_cast<std::uint8_t>(msip_));
  h.value(mtimecmp_);
}

}  // namespace ftvm::machine
