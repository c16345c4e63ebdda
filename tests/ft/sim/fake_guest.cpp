#include "ft/sim/fake_guest.h"

#include <algorithm>

namespace ftvm::ft::sim {

LogEntry FakeGuest::append_write(std::uint64_t write_id, std::size_t padding) {
  return append(EntryKind::kWrite, write_id, padding);
}

LogEntry FakeGuest::append_timer(std::uint64_t sample, std::size_t padding) {
  return append(EntryKind::kTimer, sample, padding);
}

LogEntry FakeGuest::append(EntryKind kind, std::uint64_t value, std::size_t padding) {
  LogEntry e;
  e.seq = log_.size() + 1;
  e.payload.push_back(static_cast<std::uint8_t>(kind));
  for (int i = 0; i < 8; ++i) e.payload.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  e.payload.resize(e.payload.size() + padding, static_cast<std::uint8_t>(e.seq));
  if (kind == EntryKind::kWrite) writes_.push_back(value);
  log_.push_back(e);
  return e;
}

void FakeGuest::receive(const std::vector<LogEntry>& entries) {
  pending_.insert(pending_.end(), entries.begin(), entries.end());
}

std::vector<LogEntry> FakeGuest::execute(std::size_t max_entries) {
  std::vector<LogEntry> done;
  while (!pending_.empty() && done.size() < max_entries) {
    LogEntry e = std::move(pending_.front());
    pending_.pop_front();
    const DecodedEntry d = decode(e);
    if (d.kind == EntryKind::kWrite) writes_.push_back(d.value);
    log_.push_back(e);
    done.push_back(std::move(e));
  }
  return done;
}

bool FakeGuest::contains_write(std::uint64_t write_id) const {
  return std::find(writes_.begin(), writes_.end(), write_id) != writes_.end();
}

DecodedEntry FakeGuest::decode(const LogEntry& entry) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{entry.payload.at(1 + i)} << (8 * i);
  return DecodedEntry{static_cast<EntryKind>(entry.payload.at(0)), value};
}

}  // namespace ftvm::ft::sim
