#pragma once
// Turns log bytes, fed in chunks of any size, back into entries, with no I/O
// of its own. A frame's entries become available only once the whole frame
// has arrived and checked out, so a frame is all or nothing. On the first
// problem the decoder stops: next() still hands out every entry before the
// bad frame, then throws the LogError naming its offset.
//
//   LogDecoder d({.expected_config_hash = h});
//   d.feed(chunk);                      // as bytes arrive
//   while (auto e = d.next()) apply(*e);
//   d.finish();                         // no more bytes: a partial frame is a truncation
//   while (auto e = d.next()) apply(*e);  // throws if the log was damaged
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "replay/entry_codec.h"
#include "replay/log_entry.h"
#include "replay/log_error.h"
#include "replay/log_header.h"
#include "replay/zstd_codec.h"

namespace ftvm::replay {

struct DecoderOptions {
  // When set, a log recorded for another machine configuration is refused.
  std::optional<std::uint64_t> expected_config_hash;
};

class LogDecoder {
 public:
  explicit LogDecoder(DecoderOptions options = {});

  // Takes more bytes and decodes every frame they complete. Never throws for
  // bad data: the error is kept and delivered by next().
  void feed(std::span<const std::uint8_t> bytes);
  // Declares that no more bytes will come. Leftover bytes of a partial
  // header or frame become a "truncated at offset N" error.
  void finish();

  // The next decoded entry; nullopt when more bytes are needed (or the log
  // is complete). Throws the stored LogError once every entry before the
  // damage has been handed out.
  std::optional<SequencedEntry> next();

  // The header, once it has arrived and checked out.
  const std::optional<LogHeader>& header() const { return header_; }
  // Absolute offset of the first byte not yet part of a complete frame:
  // where a truncation or the next frame starts.
  std::uint64_t offset() const { return consumed_; }
  // True once the end marker has been decoded.
  bool ended() const { return ended_; }
  // The error that stopped decoding, if any (also thrown by next()).
  const std::optional<LogError>& error() const { return error_; }
  // Sequence number the next decoded entry will get.
  std::uint64_t next_sequence() const { return next_sequence_; }

 private:
  std::span<const std::uint8_t> pending() const;
  // Decodes one header or frame from pending(); false if it is incomplete.
  bool decode_one();
  bool decode_header_bytes();
  bool decode_frame();
  void decode_entries(std::span<const std::uint8_t> payload, std::uint64_t frame_offset, bool exact_offsets);
  void consume(std::size_t n);

  DecoderOptions options_;
  ZstdDecompressor decompressor_;
  DeltaContext context_;
  std::vector<std::uint8_t> buffer_;  // received bytes; pending ones start at read_pos_
  std::size_t read_pos_ = 0;
  std::uint64_t consumed_ = 0;  // absolute offset of buffer_[read_pos_]
  std::deque<SequencedEntry> ready_;
  std::optional<LogHeader> header_;
  std::optional<LogError> error_;
  std::uint64_t next_sequence_ = 0;
  bool ended_ = false;
  bool finished_ = false;
};

}  // namespace ftvm::replay
