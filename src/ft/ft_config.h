#pragma once
// Tunables of the FT protocol. Every duration is in ticks of the node's own
// timer (the driver calls FtNode::tick() at a fixed host rate, e.g. every
// 10 ms); both sides must use the same tick rate and the same config.
#include <cstdint>

namespace ftvm::ft {

struct FtConfig {
  // How often a side that has sent nothing else sends a heartbeat.
  std::uint32_t heartbeat_interval_ticks = 2;
  // Silence from the peer for this long means the peer has failed.
  std::uint32_t failure_timeout_ticks = 12;
  // The primary releases outputs only while the backup's newest echo of one
  // of its probes is younger than this; a backup that decides to take over
  // waits this long after its last message before asking test-and-set. See
  // the lease in ft_node.h. Tick rates that may drift need a margin here.
  std::uint32_t lease_ticks = 6;
  // Resend unacknowledged entries when acks have not moved for this long
  // (the channel is TCP, so this only matters after a loss the transport
  // could not hide; duplicates are harmless).
  std::uint32_t retransmit_ticks = 4;
  // After test-and-set was unreachable, ask again this much later.
  std::uint32_t tas_retry_ticks = 3;
  // The primary keeps every entry the backup has not acked; past either bound
  // the machine must pause until acks free room.
  std::uint64_t max_unacked_entries = 256;
  std::uint64_t max_unacked_bytes = 1 << 20;
  // appended - backup executed above this throttles the primary.
  std::uint64_t max_execution_lag = 128;
  // Upper bounds for one LogBatch message.
  std::uint32_t max_batch_entries = 64;
  std::uint64_t max_batch_bytes = 256 * 1024;
};

// Throws ftvm::Error naming the first bad field.
void validate_config(const FtConfig& config);

}  // namespace ftvm::ft
