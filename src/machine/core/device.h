#pragma once
// A memory-mapped device on the bus. Devices change state only through MMIO
// from the guest (on the vCPU thread) or through Inputs from the host applied
// at an instruction count, so they are deterministic like the CPU.
#include <cstdint>
#include <string_view>

#include "machine/core/io.h"
#include "machine/core/state_hasher.h"

namespace ftvm::machine {

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // size is 1, 2, 4 or 8; offset is relative to the device's base and inside
  // its window. Reads of unknown registers return 0, writes are ignored.
  virtual std::uint64_t mmio_read(std::uint64_t offset, unsigned size) = 0;
  virtual void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) = 0;
  // An Input addressed to this device's slot (kDeviceData, kCompletion).
  virtual void apply_input(const Input& /*in*/) {}
  virtual void hash_state(StateHasher& h) const = 0;
};

}  // namespace ftvm::machine
