// UART snapshot: registers, latched interrupt conditions and the rx FIFO
// (console bytes the guest has not read yet travel with the machine).
#include "machine/devices/uart16550.h"

#include <string>

namespace ftvm::machine {

void Uart16550::save_state(SnapshotWriter& w) const {
  w.section("UART");
  for (std::uint8_t v : {ier_, lcr_, mcr_, scr_, dll_, dlm_}) w.u8(v);
  w.boolean(fifo_enabled_);
  w.boolean(overrun_);
  w.boolean(thre_pending_);
  w.u64(rx_.size());
  for (std::uint8_t b : rx_) w.u8(b);
}

void Uart16550::restore_state(SnapshotReader& r) {
  r.section("UART");
  std::uint8_t ier = r.u8(), lcr = r.u8(), mcr = r.u8(), scr = r.u8(), dll = r.u8(), dlm = r.u8();
  if (ier & ~0x0f) r.fail("UART IER holds reserved bits");
  if (mcr & ~0x1f) r.fail("UART MCR holds reserved bits");
  bool fifo_enabled = r.boolean(), overrun = r.boolean(), thre_pending = r.boolean();
  std::uint64_t n = r.count(kRxCapacity, 1);
  std::span<const std::uint8_t> rx = r.raw(n);
  ier_ = ier;
  lcr_ = lcr;
  mcr_ = mcr;
  scr_ = scr;
  dll_ = dll;
  dlm_ = dlm;
  fifo_enabled_ = fifo_enabled;
  overrun_ = overrun;
  thre_pending_ = thre_pending;
  rx_.assign(rx.begin(), rx.end());
}

}  // namespace ftvm::machine
