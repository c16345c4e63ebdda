#pragma once
// Turns entries into log bytes, with no I/O of its own: the file writer and
// the FT logging channel both ship what take_bytes() hands out. Entries
// collect in an open frame; flush() closes it so the bytes can leave now (the
// FT channel flushes per batch), and a frame also closes by itself once its
// payload reaches the target size.
#include <cstdint>
#include <memory>
#include <vector>

#include "replay/entry_codec.h"
#include "replay/log_entry.h"
#include "replay/log_header.h"
#include "replay/zstd_codec.h"

namespace ftvm::replay {

struct EncoderOptions {
  // A frame closes by itself once its payload reaches this many bytes
  // (clamped so no frame can pass the 16 MiB bound).
  std::size_t frame_target_bytes = 64 * 1024;
  // Store frame payloads zstd-compressed when that makes them smaller.
  bool compress = false;
  int zstd_level = 3;
};

class LogEncoder {
 public:
  // The header is ready in take_bytes() at once. Throws LogError if the
  // header cannot be encoded.
  explicit LogEncoder(const LogHeader& header, EncoderOptions options = {});

  // Adds an entry and returns its sequence number. Throws LogError (and
  // leaves the log unchanged) if the count is below the previous entry's,
  // a payload is over its bound, or the end marker was already appended.
  // Appending an EndEntry closes the log and flushes it.
  std::uint64_t append(const LogEntry& entry);
  std::uint64_t append(machine::Instret instret, const machine::Input& input);

  // Closes the open frame (if it holds anything) into the output.
  void flush();
  // Everything ready to ship, in order; the encoder forgets it.
  std::vector<std::uint8_t> take_bytes();

  // Sequence number the next entry will get (= entries appended so far).
  std::uint64_t next_sequence() const { return next_sequence_; }
  // Entries not yet closed into a frame (so not in take_bytes() yet).
  std::size_t open_entries() const { return open_entries_; }
  // Absolute log offset at which the next frame will start.
  std::uint64_t frame_offset() const { return shipped_bytes_ + ready_.size(); }
  bool ended() const { return ended_; }

 private:
  EncoderOptions options_;
  std::unique_ptr<ZstdCompressor> compressor_;  // only when compressing
  DeltaContext context_;
  std::vector<std::uint8_t> open_frame_;  // raw payload of the frame being filled
  std::vector<std::uint8_t> ready_;       // complete frames not yet taken
  std::uint64_t shipped_bytes_ = 0;       // bytes handed out by take_bytes()
  std::uint64_t next_sequence_ = 0;
  std::size_t open_entries_ = 0;
  bool ended_ = false;
};

}  // namespace ftvm::replay
