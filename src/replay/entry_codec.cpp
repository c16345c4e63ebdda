#include "replay/entry_codec.h"

#include <string>

#include "replay/log_error.h"

namespace ftvm::replay {
namespace {

// The head varint is (instret delta << 3) | kind. Deltas too large for that
// (>= 2^61, never seen in practice) use the escape head 0 followed by the
// kind byte and the full delta as its own varint.
constexpr unsigned kKindBits = 3;
constexpr std::uint64_t kKindMask = (1u << kKindBits) - 1;
constexpr std::uint64_t kMaxPackedDelta = (std::uint64_t{1} << (64 - kKindBits)) - 1;
constexpr std::uint64_t kEscapeHead = 0;

std::string at(std::uint64_t offset) { return " at offset " + std::to_string(offset); }

void put_bytes(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& bytes) {
  put_varint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void put_head(std::vector<std::uint8_t>& out, EntryKind kind, std::uint64_t delta) {
  if (delta <= kMaxPackedDelta) {
    put_varint(out, (delta << kKindBits) | static_cast<std::uint64_t>(kind));
    return;
  }
  put_varint(out, kEscapeHead);
  put_u8(out, static_cast<std::uint8_t>(kind));
  put_varint(out, delta);
}

void encode_payload(const LogEntry& entry, DeltaContext& context, std::vector<std::uint8_t>& out) {
  switch (entry.kind) {
    case EntryKind::kTime:
      // Wrapping subtraction: any 64-bit value round-trips, small steps stay small.
      put_varint(out, zigzag_encode(static_cast<std::int64_t>(entry.value - context.last_mtime)));
      context.last_mtime = entry.value;
      return;
    case EntryKind::kDeviceData:
      put_varint(out, entry.device);
      put_bytes(out, entry.bytes);
      return;
    case EntryKind::kCompletion:
      put_varint(out, entry.device);
      put_varint(out, entry.value);
      put_varint(out, entry.status);
      put_bytes(out, entry.bytes);
      return;
    case EntryKind::kIrq:
      put_varint(out, entry.device);
      put_varint(out, entry.status);
      return;
    case EntryKind::kCheckpoint:
      // Hashes look random: a varint would only make them longer.
      put_le(out, entry.value, 8);
      put_varint(out, entry.words.size());
      for (std::uint64_t w : entry.words) put_varint(out, w);
      return;
    case EntryKind::kEnd: return;  // no payload
  }
}

std::vector<std::uint8_t> get_bytes(PayloadReader& reader) {
  const std::uint64_t start = reader.offset();
  const std::uint64_t n = reader.varint();
  if (n > kMaxEntryDataBytes) {
    throw LogError(start, "entry data length " + std::to_string(n) + " exceeds the " +
                              std::to_string(kMaxEntryDataBytes) + "-byte limit" + at(start));
  }
  auto s = reader.bytes(static_cast<std::size_t>(n));
  return {s.begin(), s.end()};
}

std::vector<std::uint64_t> get_words(PayloadReader& reader) {
  const std::uint64_t start = reader.offset();
  const std::uint64_t n = reader.varint();
  if (n > kMaxCheckpointExtraWords) {
    throw LogError(start, "checkpoint has " + std::to_string(n) + " extra words, more than the limit of " +
                              std::to_string(kMaxCheckpointExtraWords) + at(start));
  }
  std::vector<std::uint64_t> words;
  words.reserve(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) words.push_back(reader.varint());
  return words;
}

void decode_payload(LogEntry& e, PayloadReader& reader, DeltaContext& context) {
  switch (e.kind) {
    case EntryKind::kTime:
      context.last_mtime += static_cast<std::uint64_t>(zigzag_decode(reader.varint()));
      e.value = context.last_mtime;
      return;
    case EntryKind::kDeviceData:
      e.device = reader.varint32("device slot");
      e.bytes = get_bytes(reader);
      return;
    case EntryKind::kCompletion:
      e.device = reader.varint32("device slot");
      e.value = reader.varint();
      e.status = reader.varint32("completion status");
      e.bytes = get_bytes(reader);
      return;
    case EntryKind::kIrq:
      e.device = reader.varint32("interrupt source");
      e.status = reader.varint32("interrupt level");
      return;
    case EntryKind::kCheckpoint:
      e.value = reader.le(8);
      e.words = get_words(reader);
      return;
    case EntryKind::kEnd: return;
  }
}

// Which fields each kind carries; the rest must be zero to be logged.
struct FieldUse {
  bool device, value, status, bytes, words;
};

FieldUse fields_of(EntryKind kind) {
  switch (kind) {
    case EntryKind::kTime: return {false, true, false, false, false};
    case EntryKind::kDeviceData: return {true, false, false, true, false};
    case EntryKind::kCompletion: return {true, true, true, true, false};
    case EntryKind::kIrq: return {true, false, true, false, false};
    case EntryKind::kCheckpoint: return {false, true, false, false, true};
    case EntryKind::kEnd: return {false, false, false, false, false};
  }
  return {false, false, false, false, false};
}

void check_unused_fields(const LogEntry& e, std::uint64_t offset) {
  const FieldUse use = fields_of(e.kind);
  const bool stray = (!use.device && e.device != 0) || (!use.value && e.value != 0) ||
                     (!use.status && e.status != 0) || (!use.bytes && !e.bytes.empty()) ||
                     (!use.words && !e.words.empty());
  if (stray) {
    throw LogError(offset, std::string("a ") + std::string(to_string(e.kind)) +
                               " entry sets fields its kind does not carry" + at(offset));
  }
}

bool known_kind(std::uint64_t k) {
  return k >= static_cast<std::uint64_t>(EntryKind::kTime) && k <= static_cast<std::uint64_t>(EntryKind::kEnd);
}

}  // namespace

void check_encodable(const LogEntry& entry, const DeltaContext& context, std::uint64_t offset) {
  if (!known_kind(static_cast<std::uint64_t>(entry.kind))) {
    throw LogError(offset, "cannot log an entry of unknown type " +
                               std::to_string(static_cast<unsigned>(entry.kind)) + at(offset));
  }
  if (entry.instret < context.last_instret) {
    throw LogError(offset, "entry at offset " + std::to_string(offset) + " goes back in time (instret " +
                               std::to_string(entry.instret) + " after " + std::to_string(context.last_instret) +
                               ")");
  }
  check_unused_fields(entry, offset);
  if (entry.bytes.size() > kMaxEntryDataBytes) {
    throw LogError(offset, "entry data of " + std::to_string(entry.bytes.size()) + " bytes exceeds the " +
                               std::to_string(kMaxEntryDataBytes) + "-byte limit" + at(offset));
  }
  if (entry.words.size() > kMaxCheckpointExtraWords) {
    throw LogError(offset, "checkpoint has " + std::to_string(entry.words.size()) +
                               " extra words, more than the limit of " +
                               std::to_string(kMaxCheckpointExtraWords) + at(offset));
  }
}

void encode_entry(const LogEntry& entry, DeltaContext& context, std::vector<std::uint8_t>& out) {
  put_head(out, entry.kind, entry.instret - context.last_instret);
  context.last_instret = entry.instret;
  encode_payload(entry, context, out);
}

LogEntry decode_entry(PayloadReader& reader, DeltaContext& context) {
  const std::uint64_t start = reader.offset();
  const std::uint64_t head = reader.varint();
  std::uint64_t kind_code = head & kKindMask;
  std::uint64_t delta = head >> kKindBits;
  if (head == kEscapeHead) {
    kind_code = reader.u8();
    delta = reader.varint();
    // The escape exists only for deltas the packed head cannot hold, so
    // each entry still has exactly one encoding.
    if (delta <= kMaxPackedDelta) {
      throw LogError(start, "non-canonical entry head" + at(start));
    }
  }
  if (!known_kind(kind_code)) {
    throw LogError(start, "unknown entry type " + std::to_string(kind_code) + at(start));
  }
  if (delta > UINT64_MAX - context.last_instret) {
    throw LogError(start, "entry at offset " + std::to_string(start) +
                              " goes back in time (its instruction count wraps past 2^64)");
  }
  LogEntry entry;
  entry.kind = static_cast<EntryKind>(kind_code);
  entry.instret = context.last_instret + delta;
  context.last_instret = entry.instret;
  decode_payload(entry, reader, context);
  return entry;
}

}  // namespace ftvm::replay
