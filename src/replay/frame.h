#pragma once
// Frames: the unit of integrity in the log (docs/LOG-FORMAT.md, "Frames").
//
//   [stored_length u32][raw_length u32][flags u8][header_check u32]
//   [payload: stored_length bytes][payload_check u64]
//
// header_check is XXH32 of the 9 bytes before it, so a damaged length is
// caught before it is believed; payload_check is XXH64 of the payload as
// stored. Flag bit 0 says the payload is zstd-compressed.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "replay/zstd_codec.h"

namespace ftvm::replay {

inline constexpr std::size_t kFrameHeaderBytes = 13;
inline constexpr std::size_t kFrameTrailerBytes = 8;
inline constexpr std::size_t kMaxFramePayloadBytes = std::size_t{16} << 20;  // 16 MiB, decompressed
inline constexpr std::uint8_t kFrameFlagZstd = 0x01;

struct FrameHeader {
  std::uint32_t stored_length = 0;
  std::uint32_t raw_length = 0;
  std::uint8_t flags = 0;

  bool compressed() const { return (flags & kFrameFlagZstd) != 0; }
  std::size_t total_size() const { return kFrameHeaderBytes + stored_length + kFrameTrailerBytes; }
};

// Appends one frame holding `raw` (at most kMaxFramePayloadBytes). With a
// compressor, the payload is stored compressed when that makes it smaller.
void append_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> raw, ZstdCompressor* compressor);

// Parses a frame header from the start of `available`, which begins at
// absolute log offset `offset`. nullopt: fewer than kFrameHeaderBytes bytes.
// Throws LogError on a checksum mismatch, unknown flags or lengths out of
// bounds.
std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> available, std::uint64_t offset);

// Given a complete frame (`frame.size() == header.total_size()`), verifies
// the payload checksum and returns the decompressed payload.
std::vector<std::uint8_t> open_frame_payload(const FrameHeader& header, std::span<const std::uint8_t> frame,
                                             std::uint64_t offset, ZstdDecompressor& decompressor);

}  // namespace ftvm::replay
