#include "virtio_test_driver.h"

namespace ftvm::machine::testing {

std::uint64_t TestVirtioDriver::device_features() {
  set_reg(VirtioMmio::kDeviceFeaturesSel, 0);
  std::uint64_t lo = reg(VirtioMmio::kDeviceFeatures);
  set_reg(VirtioMmio::kDeviceFeaturesSel, 1);
  std::uint64_t hi = reg(VirtioMmio::kDeviceFeatures);
  return lo | (hi << 32);
}

bool TestVirtioDriver::initialize(std::uint64_t features, unsigned num_queues) {
  set_reg(VirtioMmio::kStatus, 0);
  set_reg(VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge);
  set_reg(VirtioMmio::kStatus, VirtioMmio::kStatusAcknowledge | VirtioMmio::kStatusDriver);
  set_reg(VirtioMmio::kDriverFeaturesSel, 0);
  set_reg(VirtioMmio::kDriverFeatures, static_cast<std::uint32_t>(features));
  set_reg(VirtioMmio::kDriverFeaturesSel, 1);
  set_reg(VirtioMmio::kDriverFeatures, static_cast<std::uint32_t>(features >> 32));
  std::uint32_t st = VirtioMmio::kStatusAcknowledge | VirtioMmio::kStatusDriver | VirtioMmio::kStatusFeaturesOk;
  set_reg(VirtioMmio::kStatus, st);
  if (!(reg(VirtioMmio::kStatus) & VirtioMmio::kStatusFeaturesOk)) return false;
  for (unsigned q = 0; q < num_queues; ++q) {
    ram_.write(avail_addr(q), std::vector<std::uint8_t>(0x2000, 0).data(), 0x2000);
    next_desc_[q] = 0;
    avail_idx_[q] = 0;
    setup_queue(q, desc_addr(q), avail_addr(q), used_addr(q));
  }
  set_reg(VirtioMmio::kStatus, st | VirtioMmio::kStatusDriverOk);
  return true;
}

void TestVirtioDriver::setup_queue(unsigned q, std::uint64_t desc, std::uint64_t avail, std::uint64_t used) {
  set_reg(VirtioMmio::kQueueSel, q);
  set_reg(VirtioMmio::kQueueNum, kQueueSize);
  set_reg(VirtioMmio::kQueueDescLow, static_cast<std::uint32_t>(desc));
  set_reg(VirtioMmio::kQueueDescHigh, static_cast<std::uint32_t>(desc >> 32));
  set_reg(VirtioMmio::kQueueDriverLow, static_cast<std::uint32_t>(avail));
  set_reg(VirtioMmio::kQueueDriverHigh, static_cast<std::uint32_t>(avail >> 32));
  set_reg(VirtioMmio::kQueueDeviceLow, static_cast<std::uint32_t>(used));
  set_reg(VirtioMmio::kQueueDeviceHigh, static_cast<std::uint32_t>(used >> 32));
  set_reg(VirtioMmio::kQueueReady, 1);
}

std::uint16_t TestVirtioDriver::post(unsigned q, const std::vector<Buffer>& chain) {
  std::uint16_t head = next_desc_[q];
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto index = static_cast<std::uint16_t>((head + i) % kQueueSize);
    auto next = static_cast<std::uint16_t>((index + 1) % kQueueSize);
    std::uint16_t flags = (chain[i].writable ? 2 : 0) | (i + 1 < chain.size() ? 1 : 0);
    write_desc(q, index, chain[i].addr, chain[i].len, flags, next);
  }
  next_desc_[q] = static_cast<std::uint16_t>((head + chain.size()) % kQueueSize);
  push_avail(q, head);
  return head;
}

void TestVirtioDriver::write_desc(unsigned q, std::uint16_t index, std::uint64_t addr, std::uint32_t len,
                                  std::uint16_t flags, std::uint16_t next) {
  std::uint64_t at = desc_addr(q) + 16ull * index;
  ram_.write(at, &addr, 8);
  ram_.write(at + 8, &len, 4);
  ram_.write(at + 12, &flags, 2);
  ram_.write(at + 14, &next, 2);
}

void TestVirtioDriver::push_avail(unsigned q, std::uint16_t head) {
  ram_.write(avail_addr(q) + 4 + 2ull * (avail_idx_[q] % kQueueSize), &head, 2);
  set_avail_idx(q, static_cast<std::uint16_t>(avail_idx_[q] + 1));
}

void TestVirtioDriver::set_avail_idx(unsigned q, std::uint16_t idx) {
  avail_idx_[q] = idx;
  ram_.write(avail_addr(q) + 2, &idx, 2);
}

std::uint16_t TestVirtioDriver::used_idx(unsigned q) const {
  std::uint16_t idx = 0;
  ram_.read(used_addr(q) + 2, &idx, 2);
  return idx;
}

std::pair<std::uint32_t, std::uint32_t> TestVirtioDriver::used_elem(unsigned q, std::uint16_t i) const {
  std::uint32_t e[2] = {};
  ram_.read(used_addr(q) + 4 + 8ull * (i % kQueueSize), e, sizeof e);
  return {e[0], e[1]};
}

}  // namespace ftvm::machine::testing
