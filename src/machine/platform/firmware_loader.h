#pragma once
// Loads the firmware image into guest RAM: an ELF64 RISC-V executable (its
// PT_LOAD segments, which must lie inside RAM) or otherwise a raw binary at
// the RAM base. Throws ftvm::Error with one clear line for a bad image.
#include <cstdint>
#include <span>

#include "machine/core/guest_ram.h"

namespace ftvm::machine {

struct LoadedFirmware {
  std::uint64_t entry = 0;     // where the hart starts
  std::uint64_t lowest = 0;    // lowest byte the image occupies
  std::uint64_t end = 0;       // one past the highest byte it occupies
};

bool is_elf(std::span<const std::uint8_t> image);
LoadedFirmware load_firmware(GuestRam& ram, std::span<const std::uint8_t> image);

}  // namespace ftvm::machine
