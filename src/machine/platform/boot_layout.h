#pragma once
// Where the boot images go in guest RAM and the state the hart starts in,
// following QEMU's virt board and OpenSBI's fw_dynamic protocol:
//   firmware   at the RAM base (or where its ELF segments say)
//   kernel     at RAM + 2 MiB
//   initrd     just below the DTB area, page aligned
//   DTB        at the start of the last 2 MiB of RAM
//   fw_dynamic_info in the last 4 KiB
// Reset: pc = firmware entry, a0 = hart id 0, a1 = DTB, a2 = fw_dynamic_info.
#include <cstdint>

#include "machine/core/guest_ram.h"
#include "machine/core/machine_config.h"

namespace ftvm::machine {

struct BootLayout {
  std::uint64_t entry = 0;
  std::uint64_t kernel_addr = 0;
  std::uint64_t initrd_start = 0;
  std::uint64_t initrd_end = 0;
  std::uint64_t dtb_addr = 0;
  std::uint64_t dtb_size = 0;
  std::uint64_t fw_info_addr = 0;
};

// OpenSBI's struct fw_dynamic_info, version 2.
struct FwDynamicInfo {
  static constexpr std::uint64_t kMagic = 0x4942534f;  // "OSBI"
  static constexpr std::uint64_t kVersion = 2;
  static constexpr std::uint64_t kNextModeS = 1;
  std::uint64_t magic = kMagic;
  std::uint64_t version = kVersion;
  std::uint64_t next_addr = 0;
  std::uint64_t next_mode = kNextModeS;
  std::uint64_t options = 0;
  std::uint64_t boot_hart = 0;
};

inline constexpr std::uint64_t kDtbAreaBytes = 2ull << 20;
inline constexpr std::uint64_t kFwInfoAreaBytes = 4096;

// Loads firmware, kernel, initrd, DTB and fw_dynamic_info into `ram`.
// Everything that does not fit or overlaps gives one clear ftvm::Error.
BootLayout load_boot_images(GuestRam& ram, const MachineConfig& config);

}  // namespace ftvm::machine
