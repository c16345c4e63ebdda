// virtio-mmio transport snapshot: driver-written registers, the queues (with
// the device's private ring indices), then the concrete device's own state.
#include "machine/devices/virtio_mmio.h"

#include <string>

namespace ftvm::machine {

void VirtioMmio::save_state(SnapshotWriter& w) const {
  w.section("VIRT");
  w.u32(device_id());
  w.u32(num_queues_);
  for (unsigned i = 0; i < num_queues_; ++i) queues_[i].save(w);
  w.u32(status_);
  w.u32(interrupt_status_);
  w.u32(device_features_sel_);
  w.u32(driver_features_sel_);
  w.u64(driver_features_);
  w.u32(queue_sel_);
  save_device(w);
}

void VirtioMmio::restore_state(SnapshotReader& r) {
  r.section("VIRT");
  std::uint32_t id = r.u32();
  if (id != device_id())
    r.fail("virtio slot " + std::to_string(slot_) + " holds device id " + std::to_string(id) + ", expected " +
           std::to_string(device_id()));
  std::uint32_t queues = r.u32();
  if (queues != num_queues_) r.fail("virtio slot " + std::to_string(slot_) + " has a different number of queues");
  for (unsigned i = 0; i < num_queues_; ++i) queues_[i].restore(r);
  status_ = r.u32();
  interrupt_status_ = r.u32();
  if (interrupt_status_ & ~(kIntUsedBuffer | kIntConfigChange)) r.fail("virtio interrupt status holds reserved bits");
  device_features_sel_ = r.u32();
  driver_features_sel_ = r.u32();
  driver_features_ = r.u64();
  queue_sel_ = r.u32();
  restore_device(r);
}

}  // namespace ftvm::machine
