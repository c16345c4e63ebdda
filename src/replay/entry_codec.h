#pragma once
// The byte encoding of one entry inside a frame payload (see
// docs/LOG-FORMAT.md, "Entries"). Counts and clock values are coded as deltas
// against the previous entry, so both ends carry a small running context.
#include <cstdint>
#include <vector>

#include "replay/log_entry.h"
#include "replay/varint.h"

namespace ftvm::replay {

// What the previous entries left behind; starts at zero for a new log.
struct DeltaContext {
  machine::Instret last_instret = 0;
  std::uint64_t last_mtime = 0;
};

// Throws LogError (at `offset`, where the entry would start) if the entry
// cannot be logged: its count is below the previous one, or a payload is
// over its bound.
void check_encodable(const LogEntry& entry, const DeltaContext& context, std::uint64_t offset);

// Appends the entry to `out` and advances the context. The entry must have
// passed check_encodable.
void encode_entry(const LogEntry& entry, DeltaContext& context, std::vector<std::uint8_t>& out);

// Reads one entry and advances the context; throws LogError on anything
// malformed, naming the offset of the entry or of the bad field.
LogEntry decode_entry(PayloadReader& reader, DeltaContext& context);

}  // namespace ftvm::replay
