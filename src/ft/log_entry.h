#pragma once
// A log entry as the FT protocol sees it: an opaque payload (the replay codec
// in src/replay gives it meaning) under a sequence number. Sequence numbers
// start at 1 and have no gaps, so "position P" means "entries 1..P".
#include <cstdint>
#include <vector>

namespace ftvm::ft {

using LogPosition = std::uint64_t;  // 0 = no entries yet

struct LogEntry {
  LogPosition seq = 0;
  std::vector<std::uint8_t> payload;

  bool operator==(const LogEntry&) const = default;
};

// The driver names each output it hands to the core; the core answers with
// the same ids when it releases or drops them.
using OutputId = std::uint64_t;

}  // namespace ftvm::ft
