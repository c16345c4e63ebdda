#pragma once
// The flattened device tree the guest boots with, generated from the
// MachineConfig with libfdt's sequential-write API: CPUs, memory, CLINT, PLIC,
// UART, the test finisher (with syscon poweroff/reboot), the configured
// virtio-mmio devices and /chosen.
#include <cstdint>
#include <vector>

#include "machine/core/machine_config.h"

namespace ftvm::machine {

struct DeviceTreeExtras {
  // Physical range of the initrd; both 0 when there is none.
  std::uint64_t initrd_start = 0;
  std::uint64_t initrd_end = 0;
};

// Throws ftvm::Error if libfdt reports a problem.
std::vector<std::uint8_t> build_device_tree(const MachineConfig& config, const DeviceTreeExtras& extras);

}  // namespace ftvm::machine
