#include "replay/log_header.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "replay/log_error.h"
#include "replay/varint.h"

namespace ftvm::replay {
namespace {

constexpr std::size_t kVersionOffset = 8;
constexpr std::size_t kFlagsOffset = 10;
constexpr std::size_t kConfigHashOffset = 12;
constexpr std::size_t kInfoLengthOffset = 20;

std::string hex(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void check_magic(std::span<const std::uint8_t> available) {
  const std::size_t n = std::min(available.size(), kLogMagic.size());
  if (!std::equal(available.begin(), available.begin() + static_cast<std::ptrdiff_t>(n), kLogMagic.begin())) {
    throw LogError(0, "not an ftvm replay log: bad magic at offset 0");
  }
}

void check_version(std::uint16_t version) {
  if (version != kLogFormatVersion) {
    throw LogError(kVersionOffset, "unsupported log format version " + std::to_string(version) +
                                       " (this build reads version " + std::to_string(kLogFormatVersion) +
                                       ") at offset " + std::to_string(kVersionOffset));
  }
}

void check_config(std::uint64_t found, const std::optional<std::uint64_t>& expected) {
  if (expected && *expected != found) {
    throw LogError(kConfigHashOffset, "log was recorded with machine configuration " + hex(found) +
                                          " but this machine is " + hex(*expected) +
                                          " (config hash at offset " + std::to_string(kConfigHashOffset) + ")");
  }
}

}  // namespace

std::vector<std::uint8_t> encode_header(const LogHeader& header) {
  if (header.creation_info.size() > kMaxCreationInfoBytes) {
    throw LogError(kInfoLengthOffset, "creation info of " + std::to_string(header.creation_info.size()) +
                                          " bytes is longer than the " + std::to_string(kMaxCreationInfoBytes) +
                                          "-byte limit");
  }
  std::vector<std::uint8_t> out(kLogMagic.begin(), kLogMagic.end());
  put_le(out, kLogFormatVersion, 2);
  put_le(out, 0, 2);  // flags: none defined in version 1
  put_le(out, header.config_hash, 8);
  put_le(out, header.creation_info.size(), 2);
  out.insert(out.end(), header.creation_info.begin(), header.creation_info.end());
  put_le(out, XXH32(out.data(), out.size(), 0), 4);
  return out;
}

std::optional<DecodedHeader> decode_header(std::span<const std::uint8_t> available,
                                           const std::optional<std::uint64_t>& expected_config_hash) {
  check_magic(available);
  if (available.size() < kFlagsOffset) return std::nullopt;
  check_version(static_cast<std::uint16_t>(get_le(available.data() + kVersionOffset, 2)));
  if (available.size() < kHeaderFixedBytes) return std::nullopt;
  const std::size_t info_length = get_le(available.data() + kInfoLengthOffset, 2);
  // Checked before waiting for the rest, so a damaged length cannot make the
  // reader wait for bytes that will never come.
  if (info_length > kMaxCreationInfoBytes) {
    throw LogError(kInfoLengthOffset, "damaged log header: creation info length " + std::to_string(info_length) +
                                          " exceeds the limit at offset " + std::to_string(kInfoLengthOffset));
  }
  const std::size_t total = kHeaderFixedBytes + info_length + kHeaderChecksumBytes;
  if (available.size() < total) return std::nullopt;
  // Verify the checksum before trusting any field after the version; a
  // damaged length then shows up as damage, not as a strange limit.
  const std::size_t body = kHeaderFixedBytes + info_length;
  if (XXH32(available.data(), body, 0) != get_le(available.data() + body, 4)) {
    throw LogError(0, "checksum mismatch in log header at offset 0");
  }
  if (get_le(available.data() + kFlagsOffset, 2) != 0) {
    throw LogError(kFlagsOffset, "unknown header flags at offset " + std::to_string(kFlagsOffset));
  }
  DecodedHeader decoded;
  decoded.header.config_hash = get_le(available.data() + kConfigHashOffset, 8);
  check_config(decoded.header.config_hash, expected_config_hash);
  const auto* info = reinterpret_cast<const char*>(available.data() + kHeaderFixedBytes);
  decoded.header.creation_info.assign(info, info_length);
  decoded.size = total;
  return decoded;
}

}  // namespace ftvm::replay
