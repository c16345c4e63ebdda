#pragma once
// Plays a virtio guest driver through the bus, as the machine tests need it.
#include <cstddef>
#include <cstdint>

#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"

namespace ftvm::machine::test {

// Brings the device at virtio slot `index` up with queue 0 of 8 entries at
// the given descriptor table, driver (avail) and device (used) rings.
inline void bring_up_queue(Machine& m, std::size_t index, std::uint64_t desc, std::uint64_t avail,
                           std::uint64_t used) {
  Bus& bus = m.impl().bus();
  const std::uint64_t base = layout::kVirtioBase + index * layout::kVirtioStride;
  auto w = [&](std::uint64_t reg, std::uint32_t v) { bus.mmio_write(base + reg, 4, v); };
  w(VirtioMmio::kStatus, 3);
  w(VirtioMmio::kDriverFeaturesSel, 1);
  w(VirtioMmio::kDriverFeatures, 1);  // VERSION_1
  w(VirtioMmio::kStatus, 0xb);
  w(VirtioMmio::kQueueNum, 8);
  w(VirtioMmio::kQueueDescLow, static_cast<std::uint32_t>(desc));
  w(VirtioMmio::kQueueDriverLow, static_cast<std::uint32_t>(avail));
  w(VirtioMmio::kQueueDeviceLow, static_cast<std::uint32_t>(used));
  w(VirtioMmio::kQueueReady, 1);
  w(VirtioMmio::kStatus, 0xf);
}

// Tells the device at virtio slot `index` that queue 0 has new buffers.
inline void notify_queue(Machine& m, std::size_t index) {
  m.impl().bus().mmio_write(layout::kVirtioBase + index * layout::kVirtioStride + VirtioMmio::kQueueNotify, 4, 0);
}

// A virtio-rng at the first slot: one 16-byte buffer at `buffer` posted on
// queue 0 (descriptors at RAM + 64 KiB) and the queue notified -- the
// machine then has one entropy request among its outputs.
inline void post_rng_buffer(Machine& m, std::uint64_t buffer) {
  GuestRam& ram = m.impl().ram();
  const std::uint64_t desc = layout::kRamBase + 0x10000;
  bring_up_queue(m, 0, desc, desc + 0x1000, desc + 0x2000);
  struct {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t flags, next;
  } d{buffer, 16, 2, 0};  // flags 2: device-writable
  ram.write(desc, &d, sizeof d);
  std::uint16_t avail[3] = {0, 1, 0};  // flags, idx = 1, ring[0] = descriptor 0
  ram.write(desc + 0x1000, avail, sizeof avail);
  notify_queue(m, 0);
}

}  // namespace ftvm::machine::test
