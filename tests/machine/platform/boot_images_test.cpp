// Firmware, kernel and initrd loading, and where boot_layout puts things.
#include <elf.h>
extern "C" {
#include <libfdt.h>
}

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "machine/core/error.h"
#include "machine/platform/boot_layout.h"
#include "machine/platform/firmware_loader.h"
#include "machine/platform/kernel_image.h"

namespace ftvm::machine {
namespace {

constexpr std::uint64_t kRamSize = 16ull << 20;

// A minimal ELF64 executable with one PT_LOAD segment.
std::vector<std::uint8_t> make_elf(std::uint16_t machine, std::uint64_t paddr, std::vector<std::uint8_t> payload,
                                   std::uint64_t memsz, std::uint64_t entry) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  ph.p_vaddr = paddr;
  ph.p_paddr = paddr;
  ph.p_filesz = payload.size();
  ph.p_memsz = memsz;
  std::vector<std::uint8_t> out(ph.p_offset + payload.size());
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + sizeof eh, &ph, sizeof ph);
  std::memcpy(out.data() + ph.p_offset, payload.data(), payload.size());
  return out;
}

std::vector<std::uint8_t> make_kernel(std::size_t size, std::uint64_t image_size = 0) {
  std::vector<std::uint8_t> k(size, 0x13);
  std::memset(k.data() + 8, 0, 56);
  std::memcpy(k.data() + 16, &image_size, 8);
  std::memcpy(k.data() + 48, "RISCV\0\0\0", 8);
  std::memcpy(k.data() + 56, "RSC\x05", 4);
  return k;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(FirmwareLoader, RawBinaryGoesToRamBase) {
  GuestRam ram(layout::kRamBase, kRamSize);
  std::vector<std::uint8_t> raw = {0x6f, 0, 0, 0, 1, 2, 3};
  LoadedFirmware fw = load_firmware(ram, raw);
  EXPECT_EQ(fw.entry, layout::kRamBase);
  EXPECT_EQ(fw.end, layout::kRamBase + raw.size());
  std::vector<std::uint8_t> got(raw.size());
  ram.read(layout::kRamBase, got.data(), got.size());
  EXPECT_EQ(got, raw);
}

TEST(FirmwareLoader, ElfSegmentsLoadAndBssIsZeroed) {
  GuestRam ram(layout::kRamBase, kRamSize);
  std::uint64_t at = layout::kRamBase + 0x1000;
  std::vector<std::uint8_t> junk(64, 0xff);
  ram.write(at, junk.data(), junk.size());
  LoadedFirmware fw = load_firmware(ram, make_elf(EM_RISCV, at, {1, 2, 3, 4}, 64, at + 2));
  EXPECT_EQ(fw.entry, at + 2);
  EXPECT_EQ(fw.lowest, at);
  EXPECT_EQ(fw.end, at + 64);
  std::uint8_t got[64];
  ram.read(at, got, sizeof got);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[3], 4);
  EXPECT_EQ(got[4], 0);
  EXPECT_EQ(got[63], 0);
}

TEST(FirmwareLoader, TruncatedElfIsAClearError) {
  GuestRam ram(layout::kRamBase, kRamSize);
  auto elf = make_elf(EM_RISCV, layout::kRamBase, std::vector<std::uint8_t>(100, 1), 100, layout::kRamBase);
  auto header_only = std::vector<std::uint8_t>(elf.begin(), elf.begin() + 20);
  EXPECT_NE(error_of([&] { load_firmware(ram, header_only); }).find("truncated"), std::string::npos);
  auto no_phdrs = std::vector<std::uint8_t>(elf.begin(), elf.begin() + sizeof(Elf64_Ehdr) + 10);
  EXPECT_NE(error_of([&] { load_firmware(ram, no_phdrs); }).find("truncated"), std::string::npos);
  auto short_segment = std::vector<std::uint8_t>(elf.begin(), elf.end() - 50);
  EXPECT_NE(error_of([&] { load_firmware(ram, short_segment); }).find("truncated"), std::string::npos);
}

TEST(FirmwareLoader, ElfForAnotherArchitectureIsRejected) {
  GuestRam ram(layout::kRamBase, kRamSize);
  auto elf = make_elf(EM_X86_64, layout::kRamBase, {1}, 1, layout::kRamBase);
  EXPECT_NE(error_of([&] { load_firmware(ram, elf); }).find("not RISC-V"), std::string::npos);
}

TEST(FirmwareLoader, ElfSegmentOutsideRamIsRejected) {
  GuestRam ram(layout::kRamBase, kRamSize);
  auto low = make_elf(EM_RISCV, 0x1000, {1}, 1, 0x1000);
  EXPECT_NE(error_of([&] { load_firmware(ram, low); }).find("outside RAM"), std::string::npos);
  auto straddling = make_elf(EM_RISCV, layout::kRamBase + kRamSize - 4, {1}, 64, layout::kRamBase + kRamSize - 4);
  EXPECT_NE(error_of([&] { load_firmware(ram, straddling); }).find("outside RAM"), std::string::npos);
}

TEST(FirmwareLoader, RawImageTooLargeForRam) {
  GuestRam ram(layout::kRamBase, 1 << 20);
  std::vector<std::uint8_t> big((1 << 20) + 1, 0);
  EXPECT_NE(error_of([&] { load_firmware(ram, big); }).find("larger than RAM"), std::string::npos);
}

TEST(KernelImage, AcceptsEitherMagicAndReportsFootprint) {
  auto k = make_kernel(4096, 1 << 20);
  EXPECT_EQ(inspect_kernel_image(k).footprint, 1u << 20);
  std::memset(k.data() + 48, 0, 8);  // old magic gone, new one still there
  EXPECT_EQ(inspect_kernel_image(k).footprint, 1u << 20);
  auto small = make_kernel(8192, 100);
  EXPECT_EQ(inspect_kernel_image(small).footprint, 8192u);
}

TEST(KernelImage, CorruptHeaderIsAClearError) {
  auto k = make_kernel(4096);
  std::memset(k.data() + 48, 0, 16);
  EXPECT_NE(error_of([&] { inspect_kernel_image(k); }).find("bad header magic"), std::string::npos);
  std::vector<std::uint8_t> tiny(10, 0);
  EXPECT_NE(error_of([&] { inspect_kernel_image(tiny); }).find("too short"), std::string::npos);
}

MachineConfig boot_config() {
  MachineConfig c;
  c.ram_size = kRamSize;
  c.firmware = std::vector<std::uint8_t>(4096, 0x13);
  c.kernel = make_kernel(64 * 1024, 1 << 20);
  c.initrd = std::vector<std::uint8_t>(10000, 0x42);
  c.cmdline = "console=ttyS0";
  return c;
}

TEST(BootLayout, PlacesEverythingAndWritesFwDynamicInfo) {
  MachineConfig c = boot_config();
  GuestRam ram(layout::kRamBase, c.ram_size);
  BootLayout b = load_boot_images(ram, c);
  std::uint64_t top = layout::kRamBase + c.ram_size;
  EXPECT_EQ(b.entry, layout::kRamBase);
  EXPECT_EQ(b.kernel_addr, layout::kRamBase + layout::kKernelOffset);
  EXPECT_EQ(b.dtb_addr, top - kDtbAreaBytes);
  EXPECT_EQ(b.dtb_addr % 8, 0u);
  EXPECT_LE(b.initrd_end, b.dtb_addr);
  EXPECT_EQ(b.initrd_start % 4096, 0u);
  EXPECT_EQ(b.initrd_end - b.initrd_start, c.initrd.size());
  EXPECT_GE(b.initrd_start, b.kernel_addr + (1 << 20));

  // The DTB in RAM is valid and points at the initrd.
  std::vector<std::uint8_t> dtb(b.dtb_size);
  ram.read(b.dtb_addr, dtb.data(), dtb.size());
  ASSERT_EQ(fdt_check_full(dtb.data(), dtb.size()), 0);
  int chosen = fdt_path_offset(dtb.data(), "/chosen");
  const auto* start = static_cast<const fdt64_t*>(fdt_getprop(dtb.data(), chosen, "linux,initrd-start", nullptr));
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(fdt64_ld(start), b.initrd_start);

  FwDynamicInfo info;
  ram.read(b.fw_info_addr, &info, sizeof info);
  EXPECT_EQ(info.magic, 0x4942534fu);
  EXPECT_EQ(info.version, 2u);
  EXPECT_EQ(info.next_addr, b.kernel_addr);
  EXPECT_EQ(info.next_mode, 1u);
  EXPECT_EQ(info.boot_hart, 0u);
  EXPECT_GE(b.fw_info_addr, b.dtb_addr + b.dtb_size);

  std::uint8_t k0 = 0, i0 = 0;
  ram.read(b.kernel_addr + 100, &k0, 1);
  ram.read(b.initrd_start, &i0, 1);
  EXPECT_EQ(k0, 0x13);
  EXPECT_EQ(i0, 0x42);
}

TEST(BootLayout, KernelTooLargeForRam) {
  MachineConfig c = boot_config();
  c.kernel = make_kernel(64 * 1024, 15ull << 20);  // footprint runs into the DTB area
  GuestRam ram(layout::kRamBase, c.ram_size);
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("does not fit"), std::string::npos);
}

TEST(BootLayout, InitrdTooLargeForRam) {
  MachineConfig c = boot_config();
  c.initrd.assign(20ull << 20, 0);
  GuestRam ram(layout::kRamBase, c.ram_size);
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("initrd"), std::string::npos);
}

TEST(BootLayout, KernelAndInitrdOverlapIsRejected) {
  MachineConfig c = boot_config();
  c.initrd.assign(12ull << 20, 0);  // pushes the initrd down into the kernel
  GuestRam ram(layout::kRamBase, c.ram_size);
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("kernel"), std::string::npos);
}

TEST(BootLayout, FirmwareOverlappingKernelIsRejected) {
  MachineConfig c = boot_config();
  c.firmware.assign(3ull << 20, 0x13);
  GuestRam ram(layout::kRamBase, c.ram_size);
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("overlaps the kernel"), std::string::npos);
}

TEST(BootLayout, CorruptKernelAndMissingFirmware) {
  MachineConfig c = boot_config();
  c.kernel[56] = 'X';
  c.kernel[48] = 'X';
  GuestRam ram(layout::kRamBase, c.ram_size);
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("kernel"), std::string::npos);
  c = boot_config();
  c.firmware.clear();
  EXPECT_NE(error_of([&] { load_boot_images(ram, c); }).find("no firmware"), std::string::npos);
}

TEST(BootLayout, BareMetalNeedsNoKernel) {
  MachineConfig c;
  c.ram_size = 4ull << 20;
  c.firmware = {0x6f, 0, 0, 0};
  GuestRam ram(layout::kRamBase, c.ram_size);
  BootLayout b = load_boot_images(ram, c);
  EXPECT_EQ(b.entry, layout::kRamBase);
  EXPECT_EQ(b.initrd_start, 0u);
}

}  // namespace
}  // namespace ftvm::machine

namespace {

// A minimal EFI-stub Image: RISC-V magic plus a PE header with one section
// whose raw bytes end at 0x1200.
std::vector<std::uint8_t> pe_image(std::size_t file_size) {
  std::vector<std::uint8_t> k(std::max<std::size_t>(file_size, 0x100), 0);
  k[0] = 'M';
  k[1] = 'Z';
  std::memcpy(k.data() + 48, "RISCV\0\0\0", 8);
  k[0x3c] = 0x40;
  std::memcpy(k.data() + 0x40, "PE\0\0", 4);
  k[0x40 + 6] = 1;                       // one section, no optional header
  std::uint32_t raw_size = 0x1000, raw_ptr = 0x200;
  std::memcpy(k.data() + 0x58 + 16, &raw_size, 4);
  std::memcpy(k.data() + 0x58 + 20, &raw_ptr, 4);
  k.resize(file_size);
  return k;
}

}  // namespace

TEST(KernelImage, TruncatedEfiStubImageIsRefused) {
  EXPECT_NO_THROW(ftvm::machine::inspect_kernel_image(pe_image(0x1200)));
  try {
    ftvm::machine::inspect_kernel_image(pe_image(0x800));
    FAIL() << "truncated kernel accepted";
  } catch (const ftvm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}
