#include "ft/log_buffer.h"

namespace ftvm::ft {

void LogBuffer::push(LogEntry entry) {
  bytes_ += entry.payload.size();
  entries_.push_back(std::move(entry));
}

void LogBuffer::drop_through(LogPosition position) {
  while (!entries_.empty() && entries_.front().seq <= position) {
    bytes_ -= entries_.front().payload.size();
    entries_.pop_front();
  }
}

std::vector<LogEntry> LogBuffer::copy_from(LogPosition first, std::uint64_t max_entries,
                                           std::uint64_t max_bytes) const {
  std::vector<LogEntry> out;
  if (entries_.empty() || first < entries_.front().seq) return out;
  // Sequence numbers are consecutive, so the start is found by arithmetic.
  std::uint64_t index = first - entries_.front().seq;
  std::uint64_t batch_bytes = 0;
  for (; index < entries_.size() && out.size() < max_entries; ++index) {
    const LogEntry& e = entries_[index];
    if (!out.empty() && batch_bytes + e.payload.size() > max_bytes) break;
    batch_bytes += e.payload.size();
    out.push_back(e);
  }
  return out;
}

void LogBuffer::clear() {
  entries_.clear();
  bytes_ = 0;
}

}  // namespace ftvm::ft
