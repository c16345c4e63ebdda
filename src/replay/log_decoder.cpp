#include "replay/log_decoder.h"

#include <string>

#include "replay/frame.h"

namespace ftvm::replay {

LogDecoder::LogDecoder(DecoderOptions options) : options_(options) {}

std::span<const std::uint8_t> LogDecoder::pending() const {
  return std::span<const std::uint8_t>(buffer_).subspan(read_pos_);
}

void LogDecoder::consume(std::size_t n) {
  read_pos_ += n;
  consumed_ += n;
  // Drop consumed bytes once they dominate, keeping the copy cost linear.
  if (read_pos_ > buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
}

void LogDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (error_ || bytes.empty()) return;
  if (finished_) {
    error_.emplace(consumed_ + pending().size(), "bytes fed after finish() at offset " +
                                                     std::to_string(consumed_ + pending().size()));
    return;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  try {
    while (!pending().empty() && decode_one()) {
    }
  } catch (const LogError& e) {
    error_ = e;
  }
}

void LogDecoder::finish() {
  if (finished_) return;
  finished_ = true;
  if (error_) return;
  if (!header_ || !pending().empty()) {
    error_.emplace(consumed_, "log truncated at offset " + std::to_string(consumed_) +
                                  (header_ ? " (partial frame)" : " (incomplete header)"));
  }
}

std::optional<SequencedEntry> LogDecoder::next() {
  if (!ready_.empty()) {
    std::optional<SequencedEntry> e(std::in_place, std::move(ready_.front()));
    ready_.pop_front();
    return e;
  }
  if (error_) throw *error_;
  return std::nullopt;
}

bool LogDecoder::decode_one() {
  if (!header_) return decode_header_bytes();
  if (ended_) {
    throw LogError(consumed_, "data after the end of the log at offset " + std::to_string(consumed_));
  }
  return decode_frame();
}

bool LogDecoder::decode_header_bytes() {
  auto decoded = decode_header(pending(), options_.expected_config_hash);
  if (!decoded) return false;
  header_ = std::move(decoded->header);
  consume(decoded->size);
  return true;
}

bool LogDecoder::decode_frame() {
  const auto available = pending();
  const auto header = parse_frame_header(available, consumed_);
  if (!header || available.size() < header->total_size()) return false;
  const auto frame = available.first(header->total_size());
  const auto payload = open_frame_payload(*header, frame, consumed_, decompressor_);
  decode_entries(payload, consumed_, !header->compressed());
  consume(frame.size());
  return true;
}

void LogDecoder::decode_entries(std::span<const std::uint8_t> payload, std::uint64_t frame_offset,
                                bool exact_offsets) {
  // Decode into a scratch list so a bad entry withholds its whole frame.
  const std::uint64_t base = exact_offsets ? frame_offset + kFrameHeaderBytes : frame_offset;
  PayloadReader reader(payload, base, exact_offsets);
  std::vector<SequencedEntry> entries;
  bool ended = false;
  while (!reader.at_end()) {
    if (ended) {
      throw LogError(reader.offset(), "entry after the end marker at offset " + std::to_string(reader.offset()));
    }
    entries.push_back({next_sequence_ + entries.size(), decode_entry(reader, context_)});
    ended = entries.back().entry.kind == EntryKind::kEnd;
  }
  for (auto& e : entries) ready_.push_back(std::move(e));
  next_sequence_ += entries.size();
  ended_ = ended;
}

}  // namespace ftvm::replay
