#pragma once
// Machine::Impl: owns every part of the deterministic computer and runs it.
// It is the hart's port for devices (instret, interrupt lines, stop requests)
// and the devices' output sink (stamping each Output with the count at which
// the guest produced it). Host layers reach the parts through accessors.
#include <cstdint>
#include <memory>
#include <vector>

#include "machine/core/bus.h"
#include "machine/core/guest_ram.h"
#include "machine/core/io.h"
#include "machine/core/machine_config.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/hart.h"
#include "machine/devices/clint.h"
#include "machine/devices/hart_port.h"
#include "machine/devices/plic.h"
#include "machine/devices/test_finisher.h"
#include "machine/devices/uart16550.h"
#include "machine/devices/virtio_mmio.h"
#include "machine/platform/boot_layout.h"
#include "machine/platform/machine.h"

namespace ftvm::machine {

class Machine::Impl : public HartPort, public OutputSink {
 public:
  // run_until() returns kOutput for console output only once this many bytes
  // are pending; any other Output stops the run at once.
  static constexpr std::size_t kConsoleBatchBytes = 256;

  explicit Impl(const MachineConfig& config);

  StopReason run_until(Instret limit);
  void apply(const Input& in);
  std::vector<Output> take_outputs();
  std::uint64_t state_hash() const;
  std::uint64_t mtime() const { return clock_.mtime(hart_.instret()); }
  std::uint64_t next_timer_deadline() const { return clint_.mtimecmp(); }
  int exit_code() const { return finisher_.exit_code(); }
  const MachineConfig& config() const { return config_; }

  // Emits the Outputs of every device request still waiting for the host.
  void reissue_in_flight();
  std::size_t requests_in_flight() const;
  // The guest's reboot (warm_reset.cpp): RAM cleared and the boot images
  // loaded again, the hart and every device at power-on state; instret and
  // the clock keep counting. run_until() calls it when the finisher asks.
  void warm_reset();
  std::uint64_t resets() const { return resets_; }

  // HartPort
  Instret instret() const override { return hart_.instret(); }
  void set_line(HartLine line, bool level) override;
  void request_stop() override { hart_.request_stop(); }
  // OutputSink
  void emit(Output out) override;

  Hart& hart() { return hart_; }
  GuestRam& ram() { return ram_; }
  Bus& bus() { return bus_; }
  VirtualClock& clock() { return clock_; }
  Clint& clint() { return clint_; }
  Plic& plic() { return plic_; }
  Uart16550& uart() { return uart_; }
  TestFinisher& finisher() { return finisher_; }
  VirtioMmio& virtio(std::size_t i) { return *virtio_.at(i); }
  std::size_t virtio_count() const { return virtio_.size(); }
  const BootLayout& boot_layout() const { return boot_; }

 private:
  void create_virtio_devices();
  void boot();
  // The count at which the timer fires next, capped at `limit`.
  Instret timer_horizon(Instret limit) const;
  bool reset_requested() const { return finisher_.state() == TestFinisher::State::kReset; }
  // Why the machine must stop now, if it must.
  bool stop_reason(StopReason& why) const;
  Device& device_for_slot(std::uint32_t slot);

  MachineConfig config_;
  GuestRam ram_;
  Bus bus_;
  VirtualClock clock_;
  Hart hart_;
  Plic plic_;
  Clint clint_;
  Uart16550 uart_;
  TestFinisher finisher_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;
  std::vector<Output> outputs_;
  BootLayout boot_;
  bool timer_line_ = false;  // last MTIP level driven, to see whether a WFI can end
  // Warm resets carried out so far: for the host to report, not guest state
  // (neither hashed nor snapshotted; the kReset Output is the event).
  std::uint64_t resets_ = 0;
};

}  // namespace ftvm::machine
