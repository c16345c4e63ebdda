#include "replay/log_encoder.h"

#include <algorithm>

#include "replay/frame.h"
#include "replay/log_error.h"

namespace ftvm::replay {
namespace {

// Room for the largest entry on top of a full-but-below-target frame.
constexpr std::size_t kLargestEntryBytes = kMaxEntryDataBytes + 64;
constexpr std::size_t kMaxFrameTarget = kMaxFramePayloadBytes - kLargestEntryBytes;

}  // namespace

LogEncoder::LogEncoder(const LogHeader& header, EncoderOptions options)
    : options_(options), ready_(encode_header(header)) {
  options_.frame_target_bytes = std::clamp<std::size_t>(options_.frame_target_bytes, 1, kMaxFrameTarget);
  if (options_.compress) compressor_ = std::make_unique<ZstdCompressor>(options_.zstd_level);
}

std::uint64_t LogEncoder::append(const LogEntry& entry) {
  // Exact for uncompressed frames; otherwise where the frame will start.
  const std::uint64_t offset = frame_offset() + kFrameHeaderBytes + open_frame_.size();
  if (ended_) throw LogError(offset, "entry appended after the end of the log at offset " + std::to_string(offset));
  check_encodable(entry, context_, offset);
  encode_entry(entry, context_, open_frame_);
  ++open_entries_;
  if (entry.kind == EntryKind::kEnd) {
    ended_ = true;
    flush();
  } else if (open_frame_.size() >= options_.frame_target_bytes) {
    flush();
  }
  return next_sequence_++;
}

std::uint64_t LogEncoder::append(machine::Instret instret, const machine::Input& input) {
  return append(entry_from_input(instret, input));
}

void LogEncoder::flush() {
  if (open_frame_.empty()) return;
  append_frame(ready_, open_frame_, compressor_.get());
  open_frame_.clear();
  open_entries_ = 0;
}

std::vector<std::uint8_t> LogEncoder::take_bytes() {
  std::vector<std::uint8_t> out;
  out.swap(ready_);
  shipped_bytes_ += out.size();
  return out;
}

}  // namespace ftvm::replay
