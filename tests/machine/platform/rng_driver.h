#pragma once
// Plays a virtio-rng guest driver through the bus, as tests need it: the
// device at the first virtio slot set up with one 8-entry queue (descriptors
// at RAM + 64 KiB), one 16-byte buffer at `buffer` posted, and the queue
// notified -- the machine then has one entropy request among its outputs.
#include <cstdint>

#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"

namespace ftvm::machine::test {

inline void post_rng_buffer(Machine& m, std::uint64_t buffer) {
  Bus& bus = m.impl().bus();
  GuestRam& ram = m.impl().ram();
  const std::uint64_t base = layout::kVirtioBase, desc = layout::kRamBase + 0x10000;
  auto w = [&](std::uint64_t reg, std::uint32_t v) { bus.mmio_write(base + reg, 4, v); };
  w(VirtioMmio::kStatus, 3);
  w(VirtioMmio::kDriverFeaturesSel, 1);
  w(VirtioMmio::kDriverFeatures, 1);  // VERSION_1
  w(VirtioMmio::kStatus, 0xb);
  w(VirtioMmio::kQueueNum, 8);
  w(VirtioMmio::kQueueDescLow, static_cast<std::uint32_t>(desc));
  w(VirtioMmio::kQueueDriverLow, static_cast<std::uint32_t>(desc + 0x1000));
  w(VirtioMmio::kQueueDeviceLow, static_cast<std::uint32_t>(desc + 0x2000));
  w(VirtioMmio::kQueueReady, 1);
  w(VirtioMmio::kStatus, 0xf);
  struct {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t flags, next;
  } d{buffer, 16, 2, 0};  // flags 2: device-writable
  ram.write(desc, &d, sizeof d);
  std::uint16_t avail[3] = {0, 1, 0};  // flags, idx = 1, ring[0] = descriptor 0
  ram.write(desc + 0x1000, avail, sizeof avail);
  w(VirtioMmio::kQueueNotify, 0);
}

}  // namespace ftvm::machine::test
