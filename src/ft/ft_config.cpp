#include "ft/ft_config.h"

#include <fmt/format.h>

#include <string_view>

#include "machine/core/error.h"

namespace ftvm::ft {
namespace {

void require_positive(std::uint64_t value, std::string_view field) {
  if (value == 0) throw Error(fmt::format("ft config: {} must be greater than 0", field));
}

}  // namespace

void validate_config(const FtConfig& c) {
  require_positive(c.heartbeat_interval_ticks, "heartbeat_interval_ticks");
  require_positive(c.failure_timeout_ticks, "failure_timeout_ticks");
  require_positive(c.lease_ticks, "lease_ticks");
  require_positive(c.retransmit_ticks, "retransmit_ticks");
  require_positive(c.tas_retry_ticks, "tas_retry_ticks");
  require_positive(c.max_unacked_entries, "max_unacked_entries");
  require_positive(c.max_unacked_bytes, "max_unacked_bytes");
  require_positive(c.max_execution_lag, "max_execution_lag");
  require_positive(c.max_batch_entries, "max_batch_entries");
  require_positive(c.max_batch_bytes, "max_batch_bytes");
  // A heartbeat must arrive well inside both windows, or a healthy pair would
  // see spurious failures and a primary would never hold a valid lease.
  if (c.heartbeat_interval_ticks >= c.failure_timeout_ticks) {
    throw Error(fmt::format("ft config: heartbeat_interval_ticks ({}) must be below failure_timeout_ticks ({})",
                            c.heartbeat_interval_ticks, c.failure_timeout_ticks));
  }
  if (c.heartbeat_interval_ticks >= c.lease_ticks) {
    throw Error(fmt::format("ft config: heartbeat_interval_ticks ({}) must be below lease_ticks ({})",
                            c.heartbeat_interval_ticks, c.lease_ticks));
  }
}

}  // namespace ftvm::ft
