#pragma once
// What a backup must know before it can build the machine a clone fills:
// the primary's machine description (disk sizes, see machine_description.h).
// The primary writes it on the clone connection before the clone stream, as
// a 4-byte little-endian length and the text; the backup reads exactly that
// much, so the clone stream that follows stays untouched.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ftvm::pair {

inline constexpr std::size_t kMaxPreambleBytes = 4096;

std::vector<std::uint8_t> encode_clone_preamble(const std::string& description);

// Reads the preamble from a connected socket, each wait bounded by `limit`.
// Throws ftvm::Error for a closed connection, a timeout or a length above
// kMaxPreambleBytes.
std::string read_clone_preamble(int fd, std::chrono::milliseconds limit);

}  // namespace ftvm::pair
