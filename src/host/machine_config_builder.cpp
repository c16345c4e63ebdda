#include "host/machine_config_builder.h"

#include <algorithm>

#include "host/image_file.h"
#include "machine/core/guest_ram.h"
#include "machine/core/error.h"

namespace ftvm::host {

namespace {
constexpr std::uint64_t kSector = 512;
constexpr std::uint64_t kMinMem = 16ull << 20;
constexpr std::uint64_t kMaxMem = 64ull << 30;
}  // namespace

net::MacAddress default_mac(std::size_t index) {
  return net::MacAddress{{0x52, 0x54, 0x00, 0x12, 0x34, static_cast<std::uint8_t>(0x56 + index)}};
}

machine::MachineConfig build_machine_config(const VmConfig& cfg, const std::vector<OpenedDisk>& disks) {
  machine::MachineConfig mc;
  if (cfg.mem_bytes < kMinMem || cfg.mem_bytes > kMaxMem || cfg.mem_bytes % machine::kPageSize != 0)
    throw Error("mem must be a multiple of 4K between 16M and 64G");
  mc.ram_size = cfg.mem_bytes;
  mc.firmware = read_image_file(cfg.firmware, "firmware");
  if (!cfg.kernel.empty()) mc.kernel = read_image_file(cfg.kernel, "kernel");
  if (!cfg.initrd.empty()) mc.initrd = read_image_file(cfg.initrd, "initrd");
  mc.cmdline = cfg.append;
  mc.engine = cfg.engine;

  std::size_t devices = disks.size() + cfg.nets.size() + (cfg.rng ? 1 : 0);
  if (devices > machine::layout::kVirtioMaxSlots)
    throw Error("too many devices: " + std::to_string(devices) + " (disks + nets + rng), at most " +
                std::to_string(machine::layout::kVirtioMaxSlots));
  for (std::size_t i = 0; i < disks.size(); ++i) {
    machine::VirtioConfig v;
    v.kind = machine::VirtioKind::kBlock;
    v.capacity_bytes = disks[i].capacity / kSector * kSector;  // a partial last sector is unusable
    if (v.capacity_bytes == 0) throw Error("disk " + cfg.disks[i].source + " is smaller than one 512-byte sector");
    v.read_only = disks[i].read_only;
    mc.virtio.push_back(v);
  }
  for (std::size_t i = 0; i < cfg.nets.size(); ++i) {
    machine::VirtioConfig v;
    v.kind = machine::VirtioKind::kNet;
    net::MacAddress mac = cfg.nets[i].mac.value_or(default_mac(i));
    std::copy(mac.bytes.begin(), mac.bytes.end(), v.mac);
    mc.virtio.push_back(v);
  }
  if (cfg.rng) {
    machine::VirtioConfig v;
    v.kind = machine::VirtioKind::kRng;
    mc.virtio.push_back(v);
  }
  return mc;
}

}  // namespace ftvm::host
