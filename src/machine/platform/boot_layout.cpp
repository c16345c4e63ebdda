#include "machine/platform/boot_layout.h"

#include <string>

#include "machine/core/error.h"
#include "machine/platform/device_tree.h"
#include "machine/platform/firmware_loader.h"
#include "machine/platform/kernel_image.h"

namespace ftvm::machine {

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + kMiB - 1) / kMiB) + " MiB"; }

void place_kernel(GuestRam& ram, const MachineConfig& config, const LoadedFirmware& fw, std::uint64_t limit,
                  BootLayout& boot) {
  boot.kernel_addr = ram.base() + layout::kKernelOffset;
  if (config.kernel.empty()) return;
  KernelImageInfo info = inspect_kernel_image(config.kernel);
  if (fw.end > boot.kernel_addr && fw.lowest < boot.kernel_addr + info.footprint)
    throw Error("firmware overlaps the kernel at RAM + 2 MiB (firmware ends at RAM + " + mib(fw.end - ram.base()) + ")");
  if (info.footprint > limit - boot.kernel_addr || boot.kernel_addr > limit)
    throw Error("kernel (" + mib(info.footprint) + ") does not fit in RAM (" + mib(ram.size()) +
                ") below the initrd and device tree");
  ram.write(boot.kernel_addr, config.kernel.data(), config.kernel.size());
}

// The initrd goes page-aligned right below the DTB area; returns the lowest
// address taken so the kernel can be checked against it.
std::uint64_t place_initrd(GuestRam& ram, const MachineConfig& config, BootLayout& boot) {
  std::uint64_t top = boot.dtb_addr;
  if (config.initrd.empty()) return top;
  std::uint64_t size = config.initrd.size();
  if (size > top - ram.base()) throw Error("initrd (" + mib(size) + ") does not fit in RAM (" + mib(ram.size()) + ")");
  boot.initrd_start = (top - size) & ~(kPageSize - 1);
  boot.initrd_end = boot.initrd_start + size;
  ram.write(boot.initrd_start, config.initrd.data(), size);
  return boot.initrd_start;
}

}  // namespace

BootLayout load_boot_images(GuestRam& ram, const MachineConfig& config) {
  if (ram.size() < 2 * kDtbAreaBytes) throw Error("RAM (" + mib(ram.size()) + ") is too small: at least 4 MiB needed");
  if (config.firmware.empty()) throw Error("no firmware image given");
  BootLayout boot;
  std::uint64_t ram_end = ram.base() + ram.size();
  boot.dtb_addr = ram_end - kDtbAreaBytes;
  boot.fw_info_addr = ram_end - kFwInfoAreaBytes;

  LoadedFirmware fw = load_firmware(ram, config.firmware);
  boot.entry = fw.entry;
  std::uint64_t initrd_low = place_initrd(ram, config, boot);
  if (fw.end > initrd_low)
    throw Error("firmware (ends at RAM + " + mib(fw.end - ram.base()) + ") overlaps the initrd or device tree area");
  place_kernel(ram, config, fw, initrd_low, boot);

  DeviceTreeExtras extras{boot.initrd_start, boot.initrd_end};
  std::vector<std::uint8_t> dtb = build_device_tree(config, extras);
  if (dtb.size() > kDtbAreaBytes - kFwInfoAreaBytes) throw Error("device tree is too large (" + mib(dtb.size()) + ")");
  boot.dtb_size = dtb.size();
  ram.write(boot.dtb_addr, dtb.data(), dtb.size());

  FwDynamicInfo info;
  info.next_addr = boot.kernel_addr;
  ram.write(boot.fw_info_addr, &info, sizeof info);
  return boot;
}

}  // namespace ftvm::machine
