#pragma once
// Everything `ftvm vm` needs to run one member of a fault-tolerant pair,
// besides the VM itself (VmConfig): who we are in the pair, where the
// logging channel goes, where test-and-set lives and the timing knobs.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ft/ft_config.h"
#include "ft/ft_node.h"
#include "ft/pair_id.h"

namespace ftvm::pair {

struct PairOptions {
  ft::InitialRole role = ft::InitialRole::kPrimary;
  ft::PairId pair{"vm", 1};
  // Exactly one of them: connect to the peer, or wait for it to connect;
  // neither for a primary that starts alone (`alone`).
  std::string peer;    // host:port
  std::string listen;  // host:port
  // A primary that starts live without a backup, releasing outputs directly;
  // it is protected later (see `spares`).
  bool alone = false;
  // Host agents (host:port) that can start a backup for this VM. A side
  // running alone -- started alone, a primary that lost its backup, or a
  // backup that took over -- asks the next one for a new backup, clones
  // itself to it while the guest runs and pairs up again, generation + 1.
  std::vector<std::string> spares;
  // The host name agents' backups reach this side on (clone and log channel).
  std::string advertise = "127.0.0.1";
  // The absolute vm.toml the agents start the backup from (same VM).
  std::string config_path;
  // Backup only: receive the machine as a live clone from the primary at
  // host:port (connect there) instead of booting it from the log header.
  std::string from_clone;
  // Exactly one of them: the built-in TAS server or an etcd cluster.
  std::string tas;                      // host:port
  std::vector<std::string> tas_etcd;    // host:port of each member
  std::string host_id;                  // part of our TAS claim; defaults to hostname:pid
  std::chrono::milliseconds heartbeat{50};
  std::chrono::milliseconds timeout{1000};
  std::chrono::milliseconds tas_timeout{500};
  // How long to wait for the peer to appear before giving up.
  std::chrono::milliseconds connect_timeout{30000};
  // The primary slows down when the backup's replay is this many guest
  // instructions behind (a takeover then replays at most about this much).
  std::uint64_t max_lag_instructions = 500'000'000;
  // Bound of the log the backup has not acknowledged yet; past it the
  // primary stops running the guest until acks arrive.
  std::uint64_t max_unacked_bytes = 64ull << 20;
  // Guest instructions between state-digest checkpoints in the log (the
  // backup proves it is in lockstep at each); 0 = none. A checkpoint hashes
  // all of RAM on both sides (~50 ms for 512 MiB here): every 50 M
  // instructions that took a fifth of a busy pair's CPU (make bench-pair:
  // pair/alone 0.49 -> 0.60 without checkpoints); every 500 M keeps
  // divergence detection within about half a second of guest time.
  std::uint64_t checkpoint_interval = 500'000'000;
  // Print the one-line status on stderr every second.
  bool status = true;
  // Where to keep a JSON status file, about once a second (empty = none).
  std::string status_file;
  // The unix socket on which `ftvm protect` asks this VM, while it runs
  // alone, to protect itself with a backup from a given agent (empty =
  // none). Needs config_path, like spares.
  std::string control_path;
};

// The driver's timer period: every FtConfig duration is a multiple of it.
inline constexpr std::chrono::milliseconds kTickPeriod{10};

// FtConfig in ticks from the options' milliseconds. Throws ftvm::Error when
// a duration is not usable (e.g. a timeout not above the heartbeat).
ft::FtConfig ft_config_from(const PairOptions& options);

// Throws ftvm::Error naming the first inconsistent option.
void validate_options(const PairOptions& options);

}  // namespace ftvm::pair
