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
}  // namespace

KernelImageInfo inspect_kernel_image(std::span<const std::uint8_t> kernel) {
  if (kernel.size() < kHeaderBytes)
    throw Error("kernel: image is " + std::to_string(kernel.size()) + " bytes, too short for a RISC-V Image header");
  bool magic = std::memcmp(kernel.data() + kMagicOffset, kMagic, sizeof kMagic) == 0;
  bool magic2 = std::memcmp(kernel.data() + kMagic2Offset, kMagic2, sizeof kMagic2) == 0;
  if (!magic && !magic2) throw Error("kernel: not a RISC-V Linux Image (bad header magic)");
  std::uint64_t image_size = 0;
  std::memcpy(&image_size, kernel.data() + kImageSizeOffset, sizeof image_size);
  return {std::max<std::uint64_t>(image_size, kernel.size())};
}

}  // namespace ftvm::machine
