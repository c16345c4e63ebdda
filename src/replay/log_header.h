#pragma once
// The header at offset 0 of every log (docs/LOG-FORMAT.md, "Header"). The
// magic and the version sit at fixed offsets in every version of the format,
// so any reader can say "this is a version-N log" before parsing anything
// else.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ftvm::replay {

inline constexpr std::array<std::uint8_t, 8> kLogMagic = {'F', 'T', 'V', 'M', 'R', 'L', 'O', 'G'};
inline constexpr std::uint16_t kLogFormatVersion = 1;
inline constexpr std::size_t kMaxCreationInfoBytes = 1024;
// magic(8) version(2) flags(2) config_hash(8) info_length(2)
inline constexpr std::size_t kHeaderFixedBytes = 22;
inline constexpr std::size_t kHeaderChecksumBytes = 4;

struct LogHeader {
  // A hash of everything that defines the machine (image hashes, RAM size,
  // devices), computed by the caller; replay against a different machine is
  // refused.
  std::uint64_t config_hash = 0;
  // Free-form, e.g. "ftvm 0.1.0 on host x"; at most kMaxCreationInfoBytes.
  std::string creation_info;
  bool operator==(const LogHeader&) const = default;
};

// Throws LogError if the creation info is too long.
std::vector<std::uint8_t> encode_header(const LogHeader& header);

struct DecodedHeader {
  LogHeader header;
  std::size_t size = 0;  // bytes the header occupies
};

// Parses the header at the start of `available` (offset 0 of the log).
// nullopt: not enough bytes yet. Throws LogError on a bad magic, another
// version, damage, or (when `expected_config_hash` is set) a different
// configuration. A wrong magic or version is reported as soon as the bytes
// that show it have arrived.
std::optional<DecodedHeader> decode_header(std::span<const std::uint8_t> available,
                                           const std::optional<std::uint64_t>& expected_config_hash);

}  // namespace ftvm::replay
