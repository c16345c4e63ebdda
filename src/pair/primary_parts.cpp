#include "pair/primary_parts.h"

#include <spdlog/spdlog.h>

#include "ft/node_state.h"
#include "pair/pair_options.h"

namespace ftvm::pair {

void OutputGatePort::deliver(const machine::Output& out) {
  if (!driver_) return real_.deliver(out);
  // The output may depend on any input applied so far: make those part of
  // the log before naming its position.
  log_.publish(*driver_);
  ft::OutputId id = next_id_++;
  held_.emplace(id, out);
  driver_->output(id);
}

void OutputGatePort::release(ft::OutputId id) {
  auto it = held_.find(id);
  if (it == held_.end()) return;
  real_.deliver(it->second);
  held_.erase(it);
}

void OutputGatePort::go_live() {
  spdlog::warn("ft: won test-and-set: the backup is gone, running alone (logging stopped)");
  log_.stop();
  live_ = true;
  if (driver_) driver_->close_channel("running alone");
}

void OutputGatePort::halt(const std::string& reason) {
  halted_ = true;
  halt_reason_ = reason;
}

PrimaryPump::PrimaryPump(machine::Machine& m, PrimaryLog& log, PairDriver& driver, const OutputGatePort& gate,
                         const host::InputSource& signals, std::uint64_t max_lag, StatusLine status)
    : m_(m), log_(log), driver_(driver), gate_(gate), signals_(signals), max_lag_(max_lag), status_(std::move(status)) {}

void PrimaryPump::collect(std::vector<machine::Input>&) {
  log_.after_slice();
  log_.publish(driver_);
  driver_.service();
  // Holding the guest, not its outputs: while the log is full or the backup
  // lags, run no slice; the channel and timer keep being served.
  while (must_hold_guest() && !gate_.halted() && !signals_.stop_requested()) {
    if (!holding_) spdlog::debug("ft: holding the guest (log full or backup behind)");
    holding_ = true;
    driver_.wait(kTickPeriod);
    driver_.service();
    report_status();
  }
  holding_ = false;
  report_status();
}

bool PrimaryPump::must_hold_guest() {
  NodeSnapshot node = driver_.snapshot();
  if (node.state != ft::NodeState::kPrimary) return false;
  if (node.paused) return true;
  return log_.lag_instructions(node.backup_executed) > max_lag_;
}

void PrimaryPump::report_status() {
  NodeSnapshot node = driver_.snapshot();
  StatusSample s;
  s.role = "primary";
  s.state = node.state;
  s.instret = m_.instret();
  s.lag_instructions = log_.active() ? log_.lag_instructions(node.backup_executed) : 0;
  s.log_bytes = log_.bytes_logged();
  s.held_outputs = node.held_outputs;
  status_.maybe_print(s);
}

void PrimaryPump::drain_outputs() {
  log_.publish(driver_);
  for (;;) {
    driver_.service();
    NodeSnapshot node = driver_.snapshot();
    if (gate_.halted()) return;
    if (node.held_outputs == 0 && (node.acked == node.appended || node.state == ft::NodeState::kLive)) {
      return;
    }
    if (signals_.stop_requested()) return;
    driver_.wait(kTickPeriod);
    report_status();
  }
}

}  // namespace ftvm::pair
