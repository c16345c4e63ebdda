#pragma once
// A tiny virtio-mmio "driver" for tests: it programs the transport registers
// and writes split-ring descriptors, avail and used rings straight into a
// GuestRam, the way a guest driver would. It can also write malformed rings.
#include <cstdint>
#include <utility>
#include <vector>

#include "machine/core/guest_ram.h"
#include "machine/devices/virtio_mmio.h"

namespace ftvm::machine::testing {

class TestVirtioDriver {
 public:
  static constexpr std::uint16_t kQueueSize = 16;
  static constexpr std::uint64_t kRingArea = 0x4000;  // per queue: desc, avail, used pages

  struct Buffer {
    std::uint64_t addr;
    std::uint32_t len;
    bool writable;
  };

  // Rings for queue q live at ring_base + q * kRingArea.
  TestVirtioDriver(GuestRam& ram, VirtioMmio& dev, std::uint64_t ring_base) : ram_(ram), dev_(dev), ring_base_(ring_base) {}

  std::uint32_t reg(std::uint64_t offset) { return static_cast<std::uint32_t>(dev_.mmio_read(offset, 4)); }
  void set_reg(std::uint64_t offset, std::uint32_t value) { dev_.mmio_write(offset, 4, value); }
  std::uint64_t device_features();

  // The whole init sequence: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK,
  // queues, DRIVER_OK. Returns false if the device refused the features.
  bool initialize(std::uint64_t features, unsigned num_queues);
  void setup_queue(unsigned q, std::uint64_t desc, std::uint64_t avail, std::uint64_t used);

  std::uint64_t desc_addr(unsigned q) const { return ring_base_ + q * kRingArea; }
  std::uint64_t avail_addr(unsigned q) const { return desc_addr(q) + 0x1000; }
  std::uint64_t used_addr(unsigned q) const { return desc_addr(q) + 0x2000; }

  // Writes a descriptor chain with fresh descriptor indices and makes it available.
  std::uint16_t post(unsigned q, const std::vector<Buffer>& chain);
  void notify(unsigned q) { set_reg(VirtioMmio::kQueueNotify, q); }

  // Raw ring writes for hostile tests.
  void write_desc(unsigned q, std::uint16_t index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                  std::uint16_t next);
  void push_avail(unsigned q, std::uint16_t head);
  void set_avail_idx(unsigned q, std::uint16_t idx);

  std::uint16_t used_idx(unsigned q) const;
  // (id, len) of used ring entry i.
  std::pair<std::uint32_t, std::uint32_t> used_elem(unsigned q, std::uint16_t i) const;

 private:
  GuestRam& ram_;
  VirtioMmio& dev_;
  std::uint64_t ring_base_;
  std::uint16_t next_desc_[VirtioMmio::kMaxQueues] = {};
  std::uint16_t avail_idx_[VirtioMmio::kMaxQueues] = {};
};

}  // namespace ftvm::machine::testing
