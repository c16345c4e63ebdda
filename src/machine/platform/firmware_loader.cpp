#include "machine/platform/firmware_loader.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

namespace {

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

Elf64_Ehdr read_elf_header(std::span<const std::uint8_t> image) {
  if (image.size() < sizeof(Elf64_Ehdr)) throw Error("firmware: truncated ELF header");
  Elf64_Ehdr eh;
  std::memcpy(&eh, image.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) throw Error("firmware: not a 64-bit ELF image");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) throw Error("firmware: not a little-endian ELF image");
  if (eh.e_machine != EM_RISCV)
    throw Error("firmware: ELF image is for machine type " + std::to_string(eh.e_machine) + ", not RISC-V");
  if (eh.e_phentsize < sizeof(Elf64_Phdr) && eh.e_phnum != 0) throw Error("firmware: bad ELF program header size");
  std::uint64_t table_bytes = std::uint64_t{eh.e_phnum} * eh.e_phentsize;
  if (eh.e_phoff > image.size() || table_bytes > image.size() - eh.e_phoff)
    throw Error("firmware: truncated ELF program header table");
  return eh;
}

void load_segment(GuestRam& ram, std::span<const std::uint8_t> image, const Elf64_Phdr& ph, LoadedFirmware& fw) {
  if (ph.p_filesz > ph.p_memsz) throw Error("firmware: ELF segment has more file bytes than memory bytes");
  if (ph.p_offset > image.size() || ph.p_filesz > image.size() - ph.p_offset)
    throw Error("firmware: truncated ELF segment at file offset " + hex(ph.p_offset));
  if (!ram.contains(ph.p_paddr, ph.p_memsz))
    throw Error("firmware: ELF segment at " + hex(ph.p_paddr) + " (" + std::to_string(ph.p_memsz) +
                " bytes) lies outside RAM [" + hex(ram.base()) + ", " + hex(ram.base() + ram.size()) + ")");
  ram.write(ph.p_paddr, image.data() + ph.p_offset, ph.p_filesz);
  std::vector<std::uint8_t> zeros(ph.p_memsz - ph.p_filesz, 0);
  ram.write(ph.p_paddr + ph.p_filesz, zeros.data(), zeros.size());
  fw.lowest = std::min(fw.lowest, ph.p_paddr);
  fw.end = std::max(fw.end, ph.p_paddr + ph.p_memsz);
}

LoadedFirmware load_elf(GuestRam& ram, std::span<const std::uint8_t> image) {
  Elf64_Ehdr eh = read_elf_header(image);
  LoadedFirmware fw{eh.e_entry, UINT64_MAX, 0};
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, image.data() + eh.e_phoff + std::uint64_t{i} * eh.e_phentsize, sizeof ph);
    if (ph.p_type == PT_LOAD && ph.p_memsz > 0) load_segment(ram, image, ph, fw);
  }
  if (fw.end == 0) throw Error("firmware: ELF image has no loadable segments");
  if (!ram.contains(fw.entry, 2)) throw Error("firmware: ELF entry point " + hex(fw.entry) + " lies outside RAM");
  return fw;
}

}  // namespace

bool is_elf(std::span<const std::uint8_t> image) {
  return image.size() >= SELFMAG && std::memcmp(image.data(), ELFMAG, SELFMAG) == 0;
}

LoadedFirmware load_firmware(GuestRam& ram, std::span<const std::uint8_t> image) {
  if (image.empty()) throw Error("firmware: image is empty");
  if (is_elf(image)) return load_elf(ram, image);
  if (image.size() > ram.size())
    throw Error("firmware: raw image (" + std::to_string(image.size()) + " bytes) is larger than RAM (" +
                std::to_string(ram.size()) + " bytes)");
  ram.write(ram.base(), image.data(), image.size());
  return {ram.base(), ram.base(), ram.base() + image.size()};
}

}  // namespace ftvm::machine
