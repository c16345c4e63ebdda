#pragma once
// An EntrySink that keeps the recorded log in memory, for tests that record
// a machine and replay the entries without a file.
#include <vector>

#include "replay/log_entry.h"
#include "replay/recorder.h"

namespace ftvm::replay::testing {

struct MemorySink : EntrySink {
  std::vector<LogEntry> entries;
  void append(const LogEntry& e) override { entries.push_back(e); }
};

}  // namespace ftvm::replay::testing
