#pragma once
// A stand-in for the replicated machine: a key-value service whose only
// nondeterministic inputs are client writes and timer samples. Running live,
// it turns each input into a log entry (the reply to a write is an output at
// that entry's position). Replaying, it executes received entries in order
// and produces the same replies, which its FT node must drop.
#include <cstdint>
#include <deque>
#include <vector>

#include "ft/log_entry.h"

namespace ftvm::ft::sim {

enum class EntryKind : std::uint8_t { kWrite = 1, kTimer = 2 };

struct DecodedEntry {
  EntryKind kind;
  std::uint64_t value;  // write id, or timer sample
};

class FakeGuest {
 public:
  // Live execution: the next log entry for a client write / a timer sample.
  // `padding` extra payload bytes let the simulator vary entry sizes.
  LogEntry append_write(std::uint64_t write_id, std::size_t padding);
  LogEntry append_timer(std::uint64_t sample, std::size_t padding);

  // Replay: entries the FT node delivered, then executed a few at a time.
  void receive(const std::vector<LogEntry>& entries);
  std::vector<LogEntry> execute(std::size_t max_entries);
  std::size_t pending() const { return pending_.size(); }

  LogPosition log_end() const { return log_.size(); }
  const std::vector<LogEntry>& log() const { return log_; }
  bool contains_write(std::uint64_t write_id) const;

  static DecodedEntry decode(const LogEntry& entry);

 private:
  LogEntry append(EntryKind kind, std::uint64_t value, std::size_t padding);

  std::vector<LogEntry> log_;  // executed entries; log_[i].seq == i + 1
  std::deque<LogEntry> pending_;
  std::vector<std::uint64_t> writes_;  // write ids in the executed log
};

}  // namespace ftvm::ft::sim
