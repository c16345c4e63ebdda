#include "replay/frame.h"

#include <xxhash.h>

#include <string>

#include "replay/log_error.h"
#include "replay/varint.h"

namespace ftvm::replay {
namespace {

constexpr std::size_t kHeaderCheckedBytes = 9;  // the lengths and flags

std::string at(std::uint64_t offset) { return " at offset " + std::to_string(offset); }

void check_lengths(const FrameHeader& h, std::uint64_t offset) {
  if ((h.flags & ~kFrameFlagZstd) != 0) {
    throw LogError(offset, "unknown flags " + std::to_string(h.flags) + " in frame" + at(offset));
  }
  if (h.raw_length > kMaxFramePayloadBytes) {
    throw LogError(offset, "frame payload of " + std::to_string(h.raw_length) + " bytes exceeds the " +
                               std::to_string(kMaxFramePayloadBytes) + "-byte limit in frame" + at(offset));
  }
  // Stored data is compressed only when that makes it smaller, so a stored
  // length above the raw length is never valid (and is bounded by it).
  const bool ok = h.compressed() ? h.stored_length < h.raw_length : h.stored_length == h.raw_length;
  if (!ok) {
    throw LogError(offset, "inconsistent stored and raw lengths in frame" + at(offset));
  }
}

}  // namespace

void append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> raw, ZstdCompressor* compressor) {
  std::optional<std::vector<std::uint8_t>> packed;
  if (compressor) packed = compressor->compress_if_smaller(raw);
  const std::span<const std::uint8_t> stored = packed ? std::span<const std::uint8_t>(*packed) : raw;
  const std::size_t header_start = out.size();
  put_le(out, stored.size(), 4);
  put_le(out, raw.size(), 4);
  put_u8(out, packed ? kFrameFlagZstd : 0);
  put_le(out, XXH32(out.data() + header_start, kHeaderCheckedBytes, 0), 4);
  out.insert(out.end(), stored.begin(), stored.end());
  put_le(out, XXH64(stored.data(), stored.size(), 0), 8);
}

std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> available, std::uint64_t offset) {
  if (available.size() < kFrameHeaderBytes) return std::nullopt;
  const std::uint8_t* p = available.data();
  if (XXH32(p, kHeaderCheckedBytes, 0) != get_le(p + kHeaderCheckedBytes, 4)) {
    throw LogError(offset, "checksum mismatch in frame header" + at(offset));
  }
  FrameHeader h;
  h.stored_length = static_cast<std::uint32_t>(get_le(p, 4));
  h.raw_length = static_cast<std::uint32_t>(get_le(p + 4, 4));
  h.flags = p[8];
  check_lengths(h, offset);
  return h;
}

std::vector<std::uint8_t> open_frame_payload(const FrameHeader& header, std::span<const std::uint8_t> frame,
                                             std::uint64_t offset, ZstdDecompressor& decompressor) {
  const auto stored = frame.subspan(kFrameHeaderBytes, header.stored_length);
  const std::uint64_t check = get_le(frame.data() + kFrameHeaderBytes + header.stored_length, 8);
  if (XXH64(stored.data(), stored.size(), 0) != check) {
    throw LogError(offset, "checksum mismatch in frame" + at(offset));
  }
  if (!header.compressed()) return {stored.begin(), stored.end()};
  auto raw = decompressor.decompress_exact(stored, header.raw_length);
  if (!raw) throw LogError(offset, "corrupt zstd payload in frame" + at(offset));
  return std::move(*raw);
}

}  // namespace ftvm::replay
