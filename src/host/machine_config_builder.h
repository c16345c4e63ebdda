#pragma once
// Turns a VmConfig plus the opened disks into the MachineConfig the machine
// is built from: reads the images, lays out virtio slots (disks first, then
// NICs, then the rng), sizes the disks.
#include <cstdint>
#include <vector>

#include "host/vm_config.h"
#include "machine/core/machine_config.h"

namespace ftvm::host {

struct OpenedDisk {
  std::uint64_t capacity = 0;  // bytes, as the backend reports
  bool read_only = false;
};

// Throws ftvm::Error (unreadable image, too many devices, tiny disk, bad mem).
machine::MachineConfig build_machine_config(const VmConfig& cfg, const std::vector<OpenedDisk>& disks);

// The MAC NIC `index` gets when the config names none: 52:54:00:12:34:56+i.
net::MacAddress default_mac(std::size_t index);

}  // namespace ftvm::host
