#pragma once
// virtio-blk behind virtio-mmio. The disk itself lives on the host: a request
// becomes an Output (kDiskRead / kDiskWrite / kDiskFlush) with a tag, and the
// guest sees it finish only when the matching Input{kCompletion} is applied.
// GET_ID is answered at once. Malformed requests fail with IOERR (or UNSUPP
// for unknown types) when their status byte can be written; otherwise the
// device asks for a reset.
#include <cstdint>
#include <string>

#include "machine/devices/in_flight_requests.h"
#include "machine/devices/virtio_mmio.h"

namespace ftvm::machine {

class VirtioBlock : public VirtioMmio {
 public:
  static constexpr std::uint64_t kSectorSize = 512;
  static constexpr std::uint32_t kSegMax = VirtioMmio::kQueueMax - 2;  // header and status take two
  static constexpr std::uint32_t kSizeMax = 256 * 1024;
  static constexpr std::uint64_t kMaxRequestBytes = std::uint64_t{kSegMax} * kSizeMax;

  // Feature bits.
  static constexpr std::uint64_t kFeatureSizeMax = 1ull << 1, kFeatureSegMax = 1ull << 2,
                                 kFeatureReadOnly = 1ull << 5, kFeatureBlockSize = 1ull << 6,
                                 kFeatureFlush = 1ull << 9;
  // Request types and status values.
  static constexpr std::uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
  static constexpr std::uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupported = 2;
  static constexpr std::uint64_t kIdBytes = 20;

  VirtioBlock(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
              std::uint64_t capacity_bytes, bool read_only);

  std::string_view name() const override { return "virtio-blk"; }
  // Input{kCompletion, value = tag, status, bytes = data for reads}.
  void apply_input(const Input& in) override;
  void reissue_in_flight() override { requests_.reissue(output()); }
  std::size_t in_flight() const { return requests_.size(); }
  std::size_t requests_in_flight() const override { return requests_.size(); }

 protected:
  std::uint32_t device_id() const override { return 2; }
  std::uint64_t device_features() const override;
  std::vector<std::uint8_t> config_space() const override;
  void queue_notified(unsigned q) override;
  void device_reset() override { requests_.clear(); }
  void save_device(SnapshotWriter& w) const override;
  void restore_device(SnapshotReader& r) override;
  void hash_device(StateHasher& h) const override;

 private:
  struct Header {
    std::uint32_t type;
    std::uint32_t reserved;
    std::uint64_t sector;
  };

  void handle(VirtqChain chain);
  // Validates the data range of a read or write; false -> IOERR.
  bool range_ok(std::uint64_t sector, std::uint64_t bytes) const;
  void start_read(VirtqChain chain, const Header& hdr);
  void start_write(VirtqChain chain, const Header& hdr);
  void start_flush(VirtqChain chain);
  void answer_get_id(const VirtqChain& chain);
  // Writes the status byte (the last writable byte) and returns the chain.
  void finish(const VirtqChain& chain, std::uint8_t status, std::uint64_t data_written);

  std::uint64_t capacity_bytes_;
  bool read_only_;
  InFlightRequests requests_;
};

}  // namespace ftvm::machine
