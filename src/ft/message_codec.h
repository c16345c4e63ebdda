#pragma once
// Byte framing for Message, for the logging channel (a TCP stream: the driver
// prefixes each encoded message with its length). Decoding never trusts the
// input: every length is checked against the bytes that are actually there,
// and a checksum over the whole frame catches corruption, so a bad frame is
// reported as an error and never crashes or over-allocates.
//
// Layout, little-endian:
//   u32 magic "FTM1"  u8 version  u8 kind  u8 sender
//   u16 name length, name bytes   u64 generation
//   kind 1 LogBatch:  u64 probe, u32 count, count x (u64 seq, u32 len, bytes)
//   kind 2 Heartbeat: u64 probe, u64 appended
//   kind 3 Ack:       u64 probe echo, u64 received, u64 executed
//   u64 checksum (FNV-1a over all bytes before it)
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ft/message.h"

namespace ftvm::ft {

inline constexpr std::uint8_t kWireVersion = 1;

std::vector<std::uint8_t> encode_message(const Message& message);

struct DecodeResult {
  std::optional<Message> message;  // set on success
  std::string error;               // one line, set on failure
};

DecodeResult decode_message(std::span<const std::uint8_t> bytes);

}  // namespace ftvm::ft
