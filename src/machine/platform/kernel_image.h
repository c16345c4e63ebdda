#pragma once
// The RISC-V Linux "Image" header (Documentation/arch/riscv/boot-image-header):
// 64 bytes at the start of the kernel with magic values at 48 ("RISCV\0\0\0")
// and 56 ("RSC\x05") and the memory footprint (image_size, text and BSS).
#include <cstdint>
#include <span>

namespace ftvm::machine {

struct KernelImageInfo {
  // Bytes the kernel occupies once running: the header's image_size, or the
  // file size when that is larger (or the field is 0).
  std::uint64_t footprint = 0;
};

// Throws ftvm::Error when the header is missing or corrupt.
KernelImageInfo inspect_kernel_image(std::span<const std::uint8_t> kernel);

}  // namespace ftvm::machine
