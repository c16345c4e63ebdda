#pragma once
// A deterministic simulation of one fault-tolerant pair, in the spirit of
// FoundationDB's simulator: the primary and backup FtNodes, their fake guests,
// the logging channel, the test-and-set service and a population of clients
// all run in one thread on one virtual clock, and every fault is drawn from a
// seeded Rng. The same seed replays the same run, bit for bit.
//
// After every step the simulator checks the protocol's safety invariants and
// records any violation (see check_* in simulator.cpp and
// docs/FT-PROTOCOL.md).
#include <cstdint>
#include <string>
#include <vector>

#include "ft/ft_config.h"
#include "ft/node_state.h"
#include "ft/sim/sim_network.h"
#include "ft/sim/sim_tas.h"

namespace ftvm::ft::sim {

// A fault at a fixed step, for scenario tests.
enum class FaultKind { kCrash, kPartition, kTasOutage, kTasIsolation, kCut };

struct ScriptedFault {
  std::uint64_t at_step = 0;
  FaultKind kind = FaultKind::kCrash;
  int node = 0;                  // 0 primary, 1 backup (crash, isolation)
  std::uint64_t duration = 0;    // partition / outage / isolation length
};

struct SimOptions {
  std::uint64_t seed = 1;
  std::uint32_t steps = 300;
  ChannelModel channel = ChannelModel::kStream;
  NetworkFaults network;
  TasFaults tas;
  FtConfig ft;
  // Per-step chances of starting a fault.
  std::uint32_t crash_permille = 0;          // per node
  std::uint32_t partition_permille = 0;      // P <-> B
  std::uint32_t cut_permille = 0;            // kill the connection
  std::uint32_t tas_outage_permille = 0;     // service down for everyone
  std::uint32_t tas_isolation_permille = 0;  // one node cut off from it
  std::uint32_t backup_stall_permille = 0;   // the replayer stops for a while
  std::vector<ScriptedFault> script;
  // Client load.
  std::uint32_t write_permille = 500;
  std::uint32_t timer_permille = 200;
  std::uint32_t console_permille = 100;
  std::uint32_t max_padding = 64;
};

// An options set whose fault rates are themselves drawn from the seed, so a
// sweep over seeds covers quiet runs, lossy runs and catastrophes.
SimOptions randomized_options(std::uint64_t seed);

// Runs aimed at the lease: one-way partitions and latency spikes, so the
// primary keeps hearing stale acks from a backup that is already taking over.
SimOptions stale_ack_options(std::uint64_t seed);

// A fault-free baseline: nothing fails, everything must make progress.
SimOptions quiet_options(std::uint64_t seed);

struct SimStats {
  std::uint64_t writes_started = 0;
  std::uint64_t writes_acked = 0;
  std::uint64_t outputs_released = 0;
  std::uint64_t failovers = 0;
  std::uint64_t primary_went_live = 0;
  std::uint64_t backup_went_live = 0;
  std::uint64_t halts = 0;
  std::uint64_t tas_unreachable = 0;
  std::uint64_t pauses = 0;
  std::uint64_t throttles = 0;
  std::uint64_t corrupt_rejected = 0;
  std::uint64_t crashes = 0;
};

struct SimResult {
  std::uint64_t trace_hash = 0;
  NodeState final_state[2] = {NodeState::kPrimary, NodeState::kBackup};
  std::uint64_t went_live_at[2] = {0, 0};  // step, 0 = never
  SimStats stats;
  std::vector<std::string> violations;  // empty when every invariant held
};

SimResult run_simulation(const SimOptions& options);

}  // namespace ftvm::ft::sim
