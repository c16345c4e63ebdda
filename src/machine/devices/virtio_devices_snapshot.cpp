// The device-specific parts of virtio snapshots: in-flight host requests
// (block, rng) and received frames waiting for buffers (net).
#include <string>

#include "machine/devices/virtio_block.h"
#include "machine/devices/virtio_net.h"
#include "machine/devices/virtio_rng.h"

namespace ftvm::machine {

void VirtioBlock::save_device(SnapshotWriter& w) const {
  w.section("VBLK");
  requests_.save(w);
}

void VirtioBlock::restore_device(SnapshotReader& r) {
  r.section("VBLK");
  requests_.restore(r, ram(), num_queues());
}

void VirtioRng::save_device(SnapshotWriter& w) const {
  w.section("VRNG");
  requests_.save(w);
}

void VirtioRng::restore_device(SnapshotReader& r) {
  r.section("VRNG");
  requests_.restore(r, ram(), num_queues());
}

void VirtioNet::save_device(SnapshotWriter& w) const {
  w.section("VNET");
  w.u64(rx_fifo_.size());
  for (const auto& frame : rx_fifo_) w.blob(frame);
}

void VirtioNet::restore_device(SnapshotReader& r) {
  r.section("VNET");
  std::uint64_t n = r.count(kRxFifoFrames, 8);
  std::deque<std::vector<std::uint8_t>> fifo;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::vector<std::uint8_t> frame = r.blob(kMaxFrameBytes);
    if (frame.empty()) r.fail("an empty received frame");
    fifo.push_back(std::move(frame));
  }
  rx_fifo_ = std::move(fifo);
}

}  // namespace ftvm::machine
