#pragma once
// Shared helpers for the replay log tests: a varied sample log and a decoder
// driver that collects entries and the error, if any.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "replay/log_decoder.h"
#include "replay/log_encoder.h"

namespace ftvm::replay::testing {

inline constexpr std::uint64_t kTestConfigHash = 0x0123'4567'89ab'cdefull;

inline LogHeader test_header() { return LogHeader{kTestConfigHash, "ftvm test"}; }

// One entry of every type, with counts that exercise several delta sizes.
inline std::vector<LogEntry> sample_entries() {
  return {
      LogEntry::time(0, 1000),
      LogEntry::device_data(7, 1, {0xde, 0xad, 0xbe, 0xef}),
      LogEntry::irq(7, 10, 1),
      LogEntry::completion(130, 2, 42, 0, {1, 2, 3}),
      LogEntry::time(100'000, 990),
      LogEntry::checkpoint(100'000, 0xfeed'face'cafe'beefull, {0x8020'0000, 5}),
      LogEntry::completion(1ull << 40, 3, UINT64_MAX, UINT32_MAX, {}),
      LogEntry::irq((1ull << 40) + 1, 10, 0),
      LogEntry::end((1ull << 40) + 2),
  };
}

struct Decoded {
  std::vector<SequencedEntry> entries;
  std::optional<LogError> error;
  std::optional<LogHeader> header;
  bool ended = false;
};

// Feeds `bytes` in chunks of `chunk` bytes, then finishes.
inline Decoded decode_all(std::span<const std::uint8_t> bytes, std::size_t chunk = SIZE_MAX,
                          DecoderOptions options = {}) {
  LogDecoder decoder(options);
  Decoded out;
  try {
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
      decoder.feed(bytes.subspan(pos, std::min(chunk, bytes.size() - pos)));
      while (auto e = decoder.next()) out.entries.push_back(*e);
    }
    decoder.finish();
    while (auto e = decoder.next()) out.entries.push_back(*e);
  } catch (const LogError& e) {
    out.error = e;
  }
  out.header = decoder.header();
  out.ended = decoder.ended();
  return out;
}

// Encodes entries, closing a frame after each `per_frame` entries.
inline std::vector<std::uint8_t> encode_log(const std::vector<LogEntry>& entries, std::size_t per_frame = 1,
                                            EncoderOptions options = {}) {
  LogEncoder encoder(test_header(), options);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    encoder.append(entries[i]);
    if ((i + 1) % per_frame == 0) encoder.flush();
  }
  encoder.flush();
  return encoder.take_bytes();
}

inline std::vector<LogEntry> entries_of(const std::vector<SequencedEntry>& sequenced) {
  std::vector<LogEntry> out;
  for (const auto& s : sequenced) out.push_back(s.entry);
  return out;
}

}  // namespace ftvm::replay::testing
