#include "machine/platform/kernel_image.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

namespace {
constexpr std::size_t kHeaderBytes = 64;
constexpr std::size_t kImageSizeOffset = 16;
constexpr std::size_t kMagicOffset = 48;
constexpr std::size_t kMagic2Offset = 56;
constexpr char kMagic[8] = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};
constexpr char kMagic2[4] = {'R', 'S', 'C', 0x05};

template <typename T>
T read_le(std::span<const std::uint8_t> b, std::size_t off) {
  T v{};
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

// Kernels with an EFI stub (Debian's) are also PE/COFF files whose section
// table says where each section's bytes lie in the file. A file that ends
// before the last of them was cut short (a failed copy, a partial download):
// booting it would run whatever zeros follow. Returns the bytes the file
// must have, or 0 when there is no PE header to tell.
std::uint64_t pe_raw_end(std::span<const std::uint8_t> k) {
  if (k.size() < 0x40 || k[0] != 'M' || k[1] != 'Z') return 0;
  std::uint32_t pe = read_le<std::uint32_t>(k, 0x3c);
  if (pe > k.size() || k.size() - pe < 24) return pe + 24;  // header itself missing
  if (std::memcmp(k.data() + pe, "PE\0\0", 4) != 0) return 0;
  std::uint16_t sections = read_le<std::uint16_t>(k, pe + 6);
  std::uint16_t optional_size = read_le<std::uint16_t>(k, pe + 20);
  std::uint64_t table = std::uint64_t{pe} + 24 + optional_size;
  std::uint64_t end = table + std::uint64_t{sections} * 40;
  if (end > k.size()) return end;
  for (std::uint16_t i = 0; i < sections; ++i) {
    std::uint64_t sec = table + std::uint64_t{i} * 40;
    std::uint64_t raw_size = read_le<std::uint32_t>(k, sec + 16);
    std::uint64_t raw_ptr = read_le<std::uint32_t>(k, sec + 20);
    end = std::max(end, raw_ptr + raw_size);
  }
  return end;
}
}  // namespace

KernelImageInfo inspect_kernel_image(std::span<const std::uint8_t> kernel) {
  if (kernel.size() < kHeaderBytes)
    throw Error("kernel: image is " + std::to_string(kernel.size()) + " bytes, too short for a RISC-V Image header");
  bool magic = std::memcmp(kernel.data() + kMagicOffset, kMagic, sizeof kMagic) == 0;
  bool magic2 = std::memcmp(kernel.data() + kMagic2Offset, kMagic2, sizeof kMagic2) == 0;
  if (!magic && !magic2) throw Error("kernel: not a RISC-V Linux Image (bad header magic)");
  if (std::uint64_t need = pe_raw_end(kernel); need > kernel.size())
    throw Error("kernel: image is truncated (" + std::to_string(kernel.size()) + " bytes; its headers describe " +
                std::to_string(need) + ")");
  std::uint64_t image_size = 0;
  std::memcpy(&image_size, kernel.data() + kImageSizeOffset, sizeof image_size);
  return {std::max<std::uint64_t>(image_size, kernel.size())};
}

}  // namespace ftvm::machine
