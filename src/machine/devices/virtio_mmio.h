#pragma once
// The virtio-mmio transport (virtio 1.x, register layout version 2, no legacy
// interface). Concrete devices (block, net, rng) derive from it and supply
// their ID, features, config space and queue handling. All DMA happens inside
// an MMIO write (queue notify) or apply_input(), on the vCPU thread.
//
// A driver that breaks the queue protocol (rings outside RAM, looping chains,
// indices out of range) does not crash anything: the device sets
// DEVICE_NEEDS_RESET, raises a config-change interrupt and ignores the queues
// until the driver resets it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "machine/core/device.h"
#include "machine/core/guest_ram.h"
#include "machine/core/io.h"
#include "machine/core/snapshot_codec.h"
#include "machine/devices/hart_port.h"
#include "machine/devices/virtqueue.h"

namespace ftvm::machine {

class VirtioMmio : public Device {
 public:
  static constexpr std::uint64_t kWindowSize = 0x1000;
  static constexpr unsigned kMaxQueues = 2;
  static constexpr std::uint16_t kQueueMax = Virtqueue::kMaxSize;

  // Registers.
  static constexpr std::uint64_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c,
                                 kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020,
                                 kDriverFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNumMax = 0x034,
                                 kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
                                 kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070,
                                 kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
                                 kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4,
                                 kConfigGeneration = 0x0fc, kConfig = 0x100;
  static constexpr std::uint32_t kMagicValue = 0x74726976;  // "virt"
  static constexpr std::uint32_t kVendor = 0x4d565446;      // "FTVM"

  // Device status bits.
  static constexpr std::uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4,
                                 kStatusFeaturesOk = 8, kStatusNeedsReset = 0x40, kStatusFailed = 0x80;
  // Interrupt status bits.
  static constexpr std::uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;
  static constexpr std::uint64_t kFeatureVersion1 = 1ull << 32;

  VirtioMmio(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
             unsigned num_queues);

  std::uint64_t mmio_read(std::uint64_t offset, unsigned size) override;
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override;
  void hash_state(StateHasher& h) const override;
  // Snapshot (live clone): transport registers and queues, then the
  // device-specific part (in-flight requests, rx backlog).
  void save_state(SnapshotWriter& w) const;
  void restore_state(SnapshotReader& r);

  // Power-on state (machine warm reset): as if the driver wrote status 0.
  // Requests still waiting for the host are dropped, but tags keep counting,
  // so a completion the host delivers later for one of them is recognised
  // and ignored (deterministically: the same in a replay).
  void power_on_reset() { reset_transport(); }

  // Emits again the Output of every request still waiting for the host, in
  // tag order (a new primary re-issues what the old one may have lost).
  virtual void reissue_in_flight() {}
  // How many requests are waiting for the host (what reissue_in_flight() emits).
  virtual std::size_t requests_in_flight() const { return 0; }

  std::uint32_t status() const { return status_; }
  std::uint32_t interrupt_status() const { return interrupt_status_; }
  std::uint32_t slot() const { return slot_; }
  std::uint64_t driver_features() const { return driver_features_; }

 protected:
  virtual std::uint32_t device_id() const = 0;
  // Feature bits the device offers, VERSION_1 included.
  virtual std::uint64_t device_features() const = 0;
  virtual std::vector<std::uint8_t> config_space() const = 0;
  // The driver kicked queue `q` (only while DRIVER_OK and not NEEDS_RESET).
  virtual void queue_notified(unsigned q) = 0;
  // The driver reset the device: drop device-specific request state.
  virtual void device_reset() = 0;
  virtual void hash_device(StateHasher& h) const = 0;
  virtual void save_device(SnapshotWriter& w) const = 0;
  virtual void restore_device(SnapshotReader& r) = 0;

  unsigned num_queues() const { return num_queues_; }
  GuestRam& ram() { return ram_; }
  const GuestRam& ram() const { return ram_; }
  OutputSink& output() { return out_; }
  // True while the driver has set DRIVER_OK and the device is healthy.
  bool operational() const;
  bool queue_usable(unsigned q) const { return operational() && q < num_queues_ && queues_[q].ready; }
  // The next available chain of queue q; false when there is none or the
  // queue is broken (the device then needs a reset).
  bool next_chain(unsigned q, VirtqChain& chain);
  // Puts the chain back so next_chain returns it again.
  void return_chain(unsigned q) { queues_[q].unpop(); }
  // Returns a chain to the driver through the used ring and interrupts.
  void complete_chain(unsigned q, std::uint16_t head, std::uint32_t len);
  // Sets DEVICE_NEEDS_RESET and tells the driver with a config interrupt.
  void fail_device();

 private:
  std::uint32_t read_register(std::uint64_t offset);
  void write_register(std::uint64_t offset, std::uint32_t value);
  std::uint64_t read_config(std::uint64_t offset, unsigned size) const;
  void write_status(std::uint32_t value);
  void write_queue_register(std::uint64_t offset, std::uint32_t value);
  void reset_transport();
  void update_irq();
  Virtqueue* selected_queue();

  GuestRam& ram_;
  OutputSink& out_;
  IrqSink& irq_;
  unsigned irq_source_;
  std::uint32_t slot_;
  unsigned num_queues_;
  std::array<Virtqueue, kMaxQueues> queues_{};
  std::uint32_t status_ = 0;
  std::uint32_t interrupt_status_ = 0;
  std::uint32_t device_features_sel_ = 0;
  std::uint32_t driver_features_sel_ = 0;
  std::uint64_t driver_features_ = 0;
  std::uint32_t queue_sel_ = 0;
};

}  // namespace ftvm::machine
