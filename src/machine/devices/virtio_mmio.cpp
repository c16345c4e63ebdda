#include "machine/devices/virtio_mmio.h"

#include "machine/core/error.h"

namespace ftvm::machine {

VirtioMmio::VirtioMmio(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
                       unsigned num_queues)
    : ram_(ram), out_(out), irq_(irq), irq_source_(irq_source), slot_(slot), num_queues_(num_queues) {
  if (num_queues == 0 || num_queues > kMaxQueues) throw Error("virtio-mmio: unsupported number of queues");
}

std::uint64_t VirtioMmio::mmio_read(std::uint64_t offset, unsigned size) {
  if (offset >= kConfig) return read_config(offset - kConfig, size);
  // Transport registers are 32-bit wide and must be accessed as such.
  if (size != 4 || (offset & 3)) return 0;
  return read_register(offset);
}

void VirtioMmio::mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
  // The config spaces we expose are read-only; other registers are 32-bit.
  if (offset >= kConfig || size != 4 || (offset & 3)) return;
  write_register(offset, static_cast<std::uint32_t>(value));
}

std::uint32_t VirtioMmio::read_register(std::uint64_t offset) {
  const Virtqueue* q = selected_queue();
  switch (offset) {
    case kMagic: return kMagicValue;
    case kVersion: return 2;
    case kDeviceId: return device_id();
    case kVendorId: return kVendor;
    case kDeviceFeatures:
      return device_features_sel_ < 2 ? static_cast<std::uint32_t>(device_features() >> (32 * device_features_sel_))
                                      : 0;
    case kQueueNumMax: return q ? kQueueMax : 0;
    case kQueueNum: return q ? q->size : 0;
    case kQueueReady: return q && q->ready ? 1 : 0;
    case kInterruptStatus: return interrupt_status_;
    case kStatus: return status_;
    case kQueueDescLow: return q ? static_cast<std::uint32_t>(q->desc_addr) : 0;
    case kQueueDescHigh: return q ? static_cast<std::uint32_t>(q->desc_addr >> 32) : 0;
    case kQueueDriverLow: return q ? static_cast<std::uint32_t>(q->avail_addr) : 0;
    case kQueueDriverHigh: return q ? static_cast<std::uint32_t>(q->avail_addr >> 32) : 0;
    case kQueueDeviceLow: return q ? static_cast<std::uint32_t>(q->used_addr) : 0;
    case kQueueDeviceHigh: return q ? static_cast<std::uint32_t>(q->used_addr >> 32) : 0;
    case kConfigGeneration: return 0;  // the config space never changes while running
    default: return 0;
  }
}

void VirtioMmio::write_register(std::uint64_t offset, std::uint32_t value) {
  switch (offset) {
    case kDeviceFeaturesSel: device_features_sel_ = value; break;
    case kDriverFeaturesSel: driver_features_sel_ = value; break;
    case kDriverFeatures:
      // Features are fixed once FEATURES_OK is set.
      if (driver_features_sel_ < 2 && !(status_ & kStatusFeaturesOk)) {
        unsigned shift = 32 * driver_features_sel_;
        driver_features_ = (driver_features_ & ~(0xffffffffull << shift)) | (std::uint64_t{value} << shift);
      }
      break;
    case kQueueSel: queue_sel_ = value; break;
    case kQueueNotify:
      if (value < num_queues_ && queue_usable(value)) queue_notified(value);
      break;
    case kInterruptAck:
      interrupt_status_ &= ~value;
      update_irq();
      break;
    case kStatus: write_status(value); break;
    default: write_queue_register(offset, value); break;
  }
}

void VirtioMmio::write_queue_register(std::uint64_t offset, std::uint32_t value) {
  Virtqueue* q = selected_queue();
  if (!q) return;
  if (offset == kQueueReady) {
    q->ready = (value & 1) != 0;
    return;
  }
  // The driver must not reconfigure a live queue; such writes are ignored.
  if (q->ready) return;
  auto set_low = [value](std::uint64_t& a) { a = (a & ~0xffffffffull) | value; };
  auto set_high = [value](std::uint64_t& a) { a = (a & 0xffffffffull) | (std::uint64_t{value} << 32); };
  switch (offset) {
    // Stored as written: a size the ring cannot have makes the queue broken
    // at first use, rather than silently using a layout the driver did not.
    case kQueueNum: q->size = value; break;
    case kQueueDescLow: set_low(q->desc_addr); break;
    case kQueueDescHigh: set_high(q->desc_addr); break;
    case kQueueDriverLow: set_low(q->avail_addr); break;
    case kQueueDriverHigh: set_high(q->avail_addr); break;
    case kQueueDeviceLow: set_low(q->used_addr); break;
    case kQueueDeviceHigh: set_high(q->used_addr); break;
    default: break;
  }
}

void VirtioMmio::write_status(std::uint32_t value) {
  if (value == 0) {
    reset_transport();
    return;
  }
  std::uint32_t next = (value & ~kStatusNeedsReset) | (status_ & kStatusNeedsReset);
  if ((next & kStatusFeaturesOk) && !(status_ & kStatusFeaturesOk)) {
    // Accept only a subset of what we offer that includes VERSION_1 (no legacy).
    bool acceptable = (driver_features_ & ~device_features()) == 0 && (driver_features_ & kFeatureVersion1);
    if (!acceptable) next &= ~kStatusFeaturesOk;
  }
  status_ = next;
}

void VirtioMmio::reset_transport() {
  for (auto& q : queues_) q.reset();
  status_ = 0;
  interrupt_status_ = 0;
  device_features_sel_ = 0;
  driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  device_reset();
  update_irq();
}

std::uint64_t VirtioMmio::read_config(std::uint64_t offset, unsigned size) const {
  std::vector<std::uint8_t> config = config_space();
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i)
    if (offset + i < config.size()) value |= std::uint64_t{config[offset + i]} << (8 * i);
  return value;
}

Virtqueue* VirtioMmio::selected_queue() { return queue_sel_ < num_queues_ ? &queues_[queue_sel_] : nullptr; }

bool VirtioMmio::operational() const {
  return (status_ & kStatusDriverOk) && !(status_ & (kStatusNeedsReset | kStatusFailed));
}

bool VirtioMmio::next_chain(unsigned q, VirtqChain& chain) {
  if (!queue_usable(q)) return false;
  switch (queues_[q].pop(ram_, chain)) {
    case Virtqueue::Pop::kChain: return true;
    case Virtqueue::Pop::kEmpty: return false;
    case Virtqueue::Pop::kBroken: fail_device(); return false;
  }
  return false;
}

void VirtioMmio::complete_chain(unsigned q, std::uint16_t head, std::uint32_t len) {
  if (!queue_usable(q)) return;
  if (!queues_[q].push_used(ram_, head, len)) {
    fail_device();
    return;
  }
  interrupt_status_ |= kIntUsedBuffer;
  update_irq();
}

void VirtioMmio::fail_device() {
  status_ |= kStatusNeedsReset;
  interrupt_status_ |= kIntConfigChange;
  update_irq();
}

void VirtioMmio::update_irq() { irq_.set_irq(irq_source_, interrupt_status_ != 0); }

void VirtioMmio::hash_state(StateHasher& h) const {
  h.label(name());
  h.value(slot_);
  for (unsigned i = 0; i < num_queues_; ++i) queues_[i].hash(h);
  h.value(status_);
  h.value(interrupt_status_);
  h.value(device_features_sel_);
  h.value(driver_features_sel_);
  h.value(driver_features_);
  h.value(queue_sel_);
  hash_device(h);
}

}  // namespace ftvm::machine
