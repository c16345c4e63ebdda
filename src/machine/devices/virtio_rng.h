#pragma once
// virtio-rng (entropy source) behind virtio-mmio. Randomness comes from the
// host, never from inside the machine: each buffer the driver posts becomes
// Output{kEntropyRequest, tag, length}, and Input{kCompletion, value = tag,
// bytes} fills it.
#include <cstdint>

#include "machine/devices/in_flight_requests.h"
#include "machine/devices/virtio_mmio.h"

namespace ftvm::machine {

class VirtioRng : public VirtioMmio {
 public:
  // Larger buffers are filled only up to this many bytes per request.
  static constexpr std::uint64_t kMaxRequestBytes = 4096;

  VirtioRng(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot)
      : VirtioMmio(ram, out, irq, irq_source, slot, 1) {}

  std::string_view name() const override { return "virtio-rng"; }
  void apply_input(const Input& in) override;
  void reissue_in_flight() override { requests_.reissue(output()); }
  std::size_t in_flight() const { return requests_.size(); }
  std::size_t requests_in_flight() const override { return requests_.size(); }

 protected:
  std::uint32_t device_id() const override { return 4; }
  std::uint64_t device_features() const override { return kFeatureVersion1; }
  std::vector<std::uint8_t> config_space() const override { return {}; }
  void queue_notified(unsigned q) override;
  void device_reset() override { requests_.clear(); }
  void save_device(SnapshotWriter& w) const override;
  void restore_device(SnapshotReader& r) override;
  void hash_device(StateHasher& h) const override { requests_.hash(h); }

 private:
  InFlightRequests requests_;
};

}  // namespace ftvm::machine
