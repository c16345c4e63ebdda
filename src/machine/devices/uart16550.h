#pragma once
// A 16550A UART (ns16550a, reg-shift 0, 8-bit registers) as the console.
// Transmit is instantaneous: every THR write becomes console output at once,
// so THR is always empty. Received bytes arrive as Inputs into a bounded FIFO;
// bytes beyond its capacity are dropped (deterministically) and flag an overrun.
// Interrupts (RX data available, THR empty, line status) go to one PLIC source.
#include <cstdint>
#include <deque>

#include "machine/core/device.h"
#include "machine/core/io.h"
#include "machine/core/snapshot_codec.h"
#include "machine/devices/hart_port.h"

namespace ftvm::machine {

class Uart16550 : public Device {
 public:
  static constexpr std::size_t kRxCapacity = 1024;
  static constexpr std::uint64_t kWindowSize = 0x100;

  // Registers (DLAB selects DLL/DLM at offsets 0 and 1).
  static constexpr std::uint64_t kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
  static constexpr std::uint8_t kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMs = 0x08;
  static constexpr std::uint8_t kIirNone = 0x01, kIirMs = 0x00, kIirThre = 0x02, kIirRda = 0x04, kIirRls = 0x06;
  static constexpr std::uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40;
  static constexpr std::uint8_t kLcrDlab = 0x80;
  static constexpr std::uint8_t kMcrLoop = 0x10;

  Uart16550(OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot)
      : out_(out), irq_(irq), irq_source_(irq_source), slot_(slot) {}

  std::string_view name() const override { return "uart"; }
  std::uint64_t mmio_read(std::uint64_t offset, unsigned size) override;
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override;
  // Input{kDeviceData}: bytes typed on the console.
  void apply_input(const Input& in) override;
  void hash_state(StateHasher& h) const override;
  // Snapshot (live clone): everything hash_state() covers, the rx FIFO included.
  void save_state(SnapshotWriter& w) const;
  void restore_state(SnapshotReader& r);

  // Power-on state (machine warm reset): registers cleared, received bytes
  // not yet read are lost, as on a power cycle.
  void power_on_reset();

  std::size_t rx_queued() const { return rx_.size(); }

 private:
  std::uint8_t read_register(std::uint64_t reg);
  void write_register(std::uint64_t reg, std::uint8_t value);
  void receive(std::uint8_t byte);
  void transmit(std::uint8_t byte);
  std::uint8_t interrupt_identification() const;
  std::uint8_t line_status() const;
  std::uint8_t modem_status() const;
  void update_irq();

  OutputSink& out_;
  IrqSink& irq_;
  unsigned irq_source_;
  std::uint32_t slot_;
  std::deque<std::uint8_t> rx_;
  std::uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0;
  bool fifo_enabled_ = false;
  bool overrun_ = false;       // an rx byte was dropped; cleared by reading LSR
  bool thre_pending_ = false;  // THR-empty interrupt latched; cleared by IIR read or THR write
};

}  // namespace ftvm::machine
