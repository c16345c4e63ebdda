#pragma once
// Reads a boot image (firmware, kernel, initrd) into memory. The machine
// never opens files; this is where they are read, with one clear error
// line naming the file and what it is for.
#include <cstdint>
#include <string>
#include <vector>

namespace ftvm::host {

// Throws ftvm::Error("cannot read kernel image /x: No such file or directory").
std::vector<std::uint8_t> read_image_file(const std::string& path, const std::string& what);

}  // namespace ftvm::host
