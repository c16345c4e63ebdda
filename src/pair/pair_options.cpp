#include "pair/pair_options.h"

#include <algorithm>

#include "machine/core/error.h"

namespace ftvm::pair {

namespace {
std::uint32_t to_ticks(std::chrono::milliseconds ms) {
  auto ticks = (ms.count() + kTickPeriod.count() - 1) / kTickPeriod.count();
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, ticks));
}
}  // namespace

ft::FtConfig ft_config_from(const PairOptions& options) {
  ft::FtConfig c;
  c.heartbeat_interval_ticks = to_ticks(options.heartbeat);
  c.failure_timeout_ticks = to_ticks(options.timeout);
  // The lease must end well before the peer's failure timeout could fire,
  // or a primary could release while the backup already asks TAS; half of
  // the timeout leaves room for an ack round trip.
  c.lease_ticks = std::max<std::uint32_t>(2, c.failure_timeout_ticks / 2);
  c.retransmit_ticks = std::max<std::uint32_t>(2, c.failure_timeout_ticks / 3);
  c.tas_retry_ticks = std::max<std::uint32_t>(1, to_ticks(options.tas_timeout) / 2);
  c.max_unacked_entries = 1 << 16;
  c.max_unacked_bytes = options.max_unacked_bytes;
  // Lag is measured in instructions by the driver (see LagMeter); the
  // core's entry-count bound is kept out of the way.
  c.max_execution_lag = UINT64_MAX / 2;
  c.max_batch_entries = 64;
  c.max_batch_bytes = 1 << 20;
  ft::validate_config(c);
  return c;
}

void validate_options(const PairOptions& o) {
  ft::validate_pair_id(o.pair);
  if (o.alone) {
    if (o.role != ft::InitialRole::kPrimary) throw Error("--alone is for a primary");
    if (!o.peer.empty() || !o.listen.empty()) throw Error("--alone takes neither --peer nor --listen");
  } else if (o.peer.empty() == o.listen.empty()) {
    throw Error("give exactly one of --peer HOST:PORT and --listen HOST:PORT (or --alone for a primary)");
  }
  if (!o.from_clone.empty() && o.role != ft::InitialRole::kBackup) throw Error("--from-clone is for a backup");
  if (!o.spares.empty() && (o.config_path.empty() || o.config_path[0] != '/'))
    throw Error("--spare needs --config FILE: the agents start the backup from the same vm.toml");
  if (!o.control_path.empty() && (o.config_path.empty() || o.config_path[0] != '/'))
    throw Error("--control needs --config FILE: the agents start the backup from the same vm.toml");
  if ((!o.spares.empty() || !o.control_path.empty()) && o.advertise.empty()) throw Error("--advertise must name a host");
  if (o.tas.empty() == o.tas_etcd.empty()) throw Error("give exactly one of --tas HOST:PORT and --tas-etcd HOST:PORT,...");
  if (o.heartbeat.count() <= 0) throw Error("--heartbeat-ms must be positive");
  if (o.timeout <= o.heartbeat * 2)
    throw Error("--timeout-ms must be more than twice --heartbeat-ms, or a late heartbeat looks like a failure");
  if (o.max_unacked_bytes < (1u << 20)) throw Error("the unacked log bound must be at least 1 MiB");
  if (!o.status_file.empty() && o.status_file.back() == '/')
    throw Error("--status-file must name a file, not a directory");
  ft_config_from(o);
}

}  // namespace ftvm::pair
