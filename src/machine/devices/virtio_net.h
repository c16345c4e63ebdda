#pragma once
// virtio-net behind virtio-mmio: queue 0 receives, queue 1 transmits. Every
// buffer starts with the 12-byte virtio_net_hdr (VERSION_1 layout). No
// offloads are offered, so headers carry no checksum or GSO work.
// Transmitted frames become Output{kNetFrame}. Frames from outside arrive as
// Input{kDeviceData}; they wait in a bounded FIFO until the driver posts
// receive buffers (frames beyond its capacity are dropped, deterministically).
#include <cstdint>
#include <deque>
#include <vector>

#include "machine/devices/virtio_mmio.h"

namespace ftvm::machine {

class VirtioNet : public VirtioMmio {
 public:
  static constexpr unsigned kRxQueue = 0, kTxQueue = 1;
  static constexpr std::uint64_t kHeaderBytes = 12;
  static constexpr std::size_t kMaxFrameBytes = 65535;
  static constexpr std::size_t kRxFifoFrames = 256;
  static constexpr std::uint64_t kFeatureMac = 1ull << 5;

  VirtioNet(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
            const std::uint8_t (&mac)[6]);

  std::string_view name() const override { return "virtio-net"; }
  // Input{kDeviceData, bytes = Ethernet frame}.
  void apply_input(const Input& in) override;
  std::size_t rx_backlog() const { return rx_fifo_.size(); }
  // Frames lost on the way in, for the host's diagnostics (not guest state:
  // neither hashed nor snapshotted). Full: the FIFO was full; too big: no
  // posted buffer could hold the frame.
  std::uint64_t rx_dropped_full() const { return rx_dropped_full_; }
  std::uint64_t rx_dropped_too_big() const { return rx_dropped_too_big_; }

 protected:
  std::uint32_t device_id() const override { return 1; }
  std::uint64_t device_features() const override { return kFeatureVersion1 | kFeatureMac; }
  std::vector<std::uint8_t> config_space() const override;
  void queue_notified(unsigned q) override;
  void device_reset() override { rx_fifo_.clear(); }
  void save_device(SnapshotWriter& w) const override;
  void restore_device(SnapshotReader& r) override;
  void hash_device(StateHasher& h) const override;

 private:
  void transmit_all();
  void deliver_received();

  std::uint8_t mac_[6];
  std::deque<std::vector<std::uint8_t>> rx_fifo_;
  std::uint64_t rx_dropped_full_ = 0;
  std::uint64_t rx_dropped_too_big_ = 0;
};

}  // namespace ftvm::machine
