#pragma once
// The primary's copy of every log entry the backup has not acknowledged yet:
// the retransmission source, and the thing whose size bounds how far the
// primary may run ahead of its backup.
#include <cstdint>
#include <deque>
#include <vector>

#include "ft/log_entry.h"

namespace ftvm::ft {

class LogBuffer {
 public:
  // Entries must arrive in sequence order (the node validates that).
  void push(LogEntry entry);
  // Forgets every entry with seq <= position.
  void drop_through(LogPosition position);
  // Copies of consecutive entries starting at `first`, stopping before either
  // bound would be exceeded (but always at least one entry if any exists, so
  // a single oversized entry still goes out).
  std::vector<LogEntry> copy_from(LogPosition first, std::uint64_t max_entries, std::uint64_t max_bytes) const;
  void clear();

  std::uint64_t entries() const { return entries_.size(); }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::deque<LogEntry> entries_;
  std::uint64_t bytes_ = 0;
};

}  // namespace ftvm::ft
