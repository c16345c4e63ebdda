#include "machine/devices/uart16550.h"

#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

std::uint64_t Uart16550::mmio_read(std::uint64_t offset, unsigned size) {
  // 8-bit registers: a wider access returns the addressed register in the low byte.
  (void)size;
  return offset < 8 ? read_register(offset) : 0;
}

void Uart16550::mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
  (void)size;
  if (offset < 8) write_register(offset, static_cast<std::uint8_t>(value));
}

std::uint8_t Uart16550::read_register(std::uint64_t reg) {
  bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (reg) {
    case kRbrThr: {
      if (dlab) return dll_;
      if (rx_.empty()) return 0;
      std::uint8_t byte = rx_.front();
      rx_.pop_front();
      update_irq();
      return byte;
    }
    case kIer: return dlab ? dlm_ : ier_;
    case kIirFcr: {
      std::uint8_t iir = interrupt_identification();
      // Reading IIR while it reports THR-empty acknowledges that interrupt.
      if ((iir & 0x0f) == kIirThre) {
        thre_pending_ = false;
        update_irq();
      }
      return static_cast<std::uint8_t>(iir | (fifo_enabled_ ? 0xc0 : 0));
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: {
      std::uint8_t lsr = line_status();
      overrun_ = false;
      update_irq();
      return lsr;
    }
    case kMsr: return modem_status();
    case kScr: return scr_;
  }
  return 0;
}

void Uart16550::write_register(std::uint64_t reg, std::uint8_t value) {
  bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (reg) {
    case kRbrThr:
      if (dlab) {
        dll_ = value;
      } else {
        transmit(value);
      }
      break;
    case kIer:
      if (dlab) {
        dlm_ = value;
      } else {
        std::uint8_t newly = static_cast<std::uint8_t>(value & ~ier_);
        ier_ = value & 0x0f;
        // THR is always empty, so enabling its interrupt raises it at once.
        if (newly & kIerThre) thre_pending_ = true;
      }
      break;
    case kIirFcr:
      fifo_enabled_ = (value & 0x01) != 0;
      if (value & 0x02) rx_.clear();
      break;
    case kLcr: lcr_ = value; break;
    case kMcr: mcr_ = value & 0x1f; break;
    case kScr: scr_ = value; break;
    default: break;  // LSR and MSR are read-only
  }
  update_irq();
}

void Uart16550::apply_input(const Input& in) {
  if (in.kind != InputKind::kDeviceData)
    throw Error("console UART in slot " + std::to_string(slot_) + " takes only device-data inputs");
  for (std::uint8_t byte : in.bytes) receive(byte);
  update_irq();
}

void Uart16550::receive(std::uint8_t byte) {
  if (rx_.size() >= kRxCapacity) {
    overrun_ = true;
    return;
  }
  rx_.push_back(byte);
}

void Uart16550::transmit(std::uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    receive(byte);
  } else {
    Output o;
    o.kind = OutputKind::kConsole;
    o.device = slot_;
    o.bytes.push_back(byte);
    out_.emit(std::move(o));
  }
  // The byte left at once: THR is empty again.
  thre_pending_ = true;
}

std::uint8_t Uart16550::interrupt_identification() const {
  if ((ier_ & kIerRls) && overrun_) return kIirRls;
  if ((ier_ & kIerRda) && !rx_.empty()) return kIirRda;
  if ((ier_ & kIerThre) && thre_pending_) return kIirThre;
  return kIirNone;
}

std::uint8_t Uart16550::line_status() const {
  std::uint8_t lsr = kLsrThre | kLsrTemt;
  if (!rx_.empty()) lsr |= kLsrDr;
  if (overrun_) lsr |= kLsrOe;
  return lsr;
}

std::uint8_t Uart16550::modem_status() const {
  if (mcr_ & kMcrLoop) {
    // Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
    std::uint8_t msr = 0;
    if (mcr_ & 0x01) msr |= 0x20;
    if (mcr_ & 0x02) msr |= 0x10;
    if (mcr_ & 0x04) msr |= 0x40;
    if (mcr_ & 0x08) msr |= 0x80;
    return msr;
  }
  return 0xb0;  // carrier, data set ready, clear to send: a cable is always attached
}

void Uart16550::update_irq() { irq_.set_irq(irq_source_, interrupt_identification() != kIirNone); }

void Uart16550::hash_state(StateHasher& h) const {
  h.label("uart");
  std::uint64_t n = rx_.size();
  h.value(n);
  for (std::uint8_t b : rx_) h.value(b);
  std::uint8_t regs[] = {ier_, lcr_, mcr_, scr_, dll_, dlm_, static_cast<std::uint8_t>(fifo_enabled_),
                         static_cast<std::uint8_t>(overrun_), static_cast<std::uint8_t>(thre_pending_)};
  h.bytes(regs, sizeof regs);
}

}  // namespace ftvm::machine
