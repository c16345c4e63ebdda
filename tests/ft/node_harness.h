#pragma once
// Helpers for driving one FtNode by hand in unit tests.
#include <cstdint>
#include <vector>

#include "ft/ft_node.h"

namespace ftvm::ft::testing {

inline FtConfig small_config() {
  FtConfig c;
  c.heartbeat_interval_ticks = 2;
  c.failure_timeout_ticks = 10;
  c.lease_ticks = 5;
  c.retransmit_ticks = 4;
  c.tas_retry_ticks = 3;
  c.max_unacked_entries = 4;
  c.max_unacked_bytes = 1000;
  c.max_execution_lag = 3;
  c.max_batch_entries = 2;
  c.max_batch_bytes = 100;
  return c;
}

inline PairId test_pair() { return PairId{"vm-a", 3}; }

inline LogEntry entry(LogPosition seq, std::size_t size = 4) {
  return LogEntry{seq, std::vector<std::uint8_t>(size, static_cast<std::uint8_t>(seq))};
}

inline std::vector<LogEntry> entries(LogPosition first, LogPosition last, std::size_t size = 4) {
  std::vector<LogEntry> out;
  for (LogPosition s = first; s <= last; ++s) out.push_back(entry(s, size));
  return out;
}

inline Message from_backup(Ack a) { return Message{test_pair(), Sender::kBackup, a}; }
inline Message from_primary(MessageBody b) { return Message{test_pair(), Sender::kPrimary, std::move(b)}; }

// Steps the node and returns what it asked for (then advances).
inline Ready step(FtNode& node, Event e) {
  node.step(std::move(e));
  Ready r = node.ready();
  node.advance();
  return r;
}

inline Ready tick(FtNode& node, int times = 1) {
  Ready last;
  for (int i = 0; i < times; ++i) last = step(node, TickEvent{});
  return last;
}

// An ack from the backup echoing the primary's current tick (a fresh lease).
inline Ready ack_now(FtNode& primary, LogPosition received, LogPosition executed) {
  return step(primary, MessageEvent{from_backup(Ack{primary.now(), received, executed})});
}

inline FtNode make_primary(FtConfig c = small_config()) { return FtNode(c, test_pair(), InitialRole::kPrimary); }
inline FtNode make_backup(FtConfig c = small_config()) { return FtNode(c, test_pair(), InitialRole::kBackup); }

// Drives a node into failover by silence and returns the Ready that carried
// the failover.
inline Ready silence_until_failover(FtNode& node) {
  Ready r;
  for (int i = 0; i < 100 && !r.failover; ++i) r = tick(node);
  return r;
}

}  // namespace ftvm::ft::testing
