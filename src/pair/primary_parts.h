#pragma once
// The pieces the primary plugs into the live run loop (LiveRunner): the
// recording InputPort, the output gate as an OutputPort, and a pump that
// services the FT driver between slices.
#include <cstdint>
#include <map>
#include <string>

#include "host/input_port.h"
#include "host/input_source.h"
#include "host/output_port.h"
#include "pair/pair_driver.h"
#include "pair/primary_log.h"
#include "pair/status_line.h"

namespace ftvm::pair {

// Logs each input at the machine's count, then applies it.
class RecordingInputPort final : public host::InputPort {
 public:
  RecordingInputPort(machine::Machine& m, PrimaryLog& log) : m_(m), log_(log) {}
  void apply(const machine::Input& in) override {
    log_.input(in);
    m_.apply(in);
  }

 private:
  machine::Machine& m_;
  PrimaryLog& log_;
};

// Each output is stamped with the log position it depends on (everything
// logged before it is published first) and held until the node releases
// it; released outputs go to the real backends in production order.
class OutputGatePort final : public host::OutputPort, public ReadyHandler {
 public:
  OutputGatePort(host::OutputPort& real, PrimaryLog& log) : real_(real), log_(log) {}
  void connect(PairDriver& driver) { driver_ = &driver; }

  void deliver(const machine::Output& out) override;
  void release(ft::OutputId id) override;
  void drop(ft::OutputId id) override { held_.erase(id); }
  void go_live() override;
  void halt(const std::string& reason) override;

  bool halted() const { return halted_; }
  const std::string& halt_reason() const { return halt_reason_; }
  // The backup is gone and we won test-and-set: running alone.
  bool live() const { return live_; }

 private:
  host::OutputPort& real_;
  PrimaryLog& log_;
  PairDriver* driver_ = nullptr;
  std::map<ft::OutputId, machine::Output> held_;
  ft::OutputId next_id_ = 1;
  bool halted_ = false;
  bool live_ = false;
  std::string halt_reason_;
};

// Between slices: checkpoints, publishes what was logged, services the
// channel and timer, and holds the guest while the unacked log is full or
// the backup's replay lags too far behind.
class PrimaryPump final : public host::InputSource {
 public:
  PrimaryPump(machine::Machine& m, PrimaryLog& log, PairDriver& driver, const OutputGatePort& gate,
              const host::InputSource& signals, std::uint64_t max_lag, StatusLine status);
  int wake_fd() const override { return driver_.wake_fd(); }
  void collect(std::vector<machine::Input>& out) override;
  bool stop_requested() const override { return gate_.halted() || (stop_when_live_ && gate_.live()); }
  // Ends the run loop once this side runs alone, so its owner can protect
  // it again (instead of running on in the paired loop with logging off).
  void stop_when_live() { stop_when_live_ = true; }

  // Runs the driver until every output has been released (or dropped).
  void drain_outputs();

 private:
  bool must_hold_guest();
  void report_status();

  machine::Machine& m_;
  PrimaryLog& log_;
  PairDriver& driver_;
  const OutputGatePort& gate_;
  const host::InputSource& signals_;
  std::uint64_t max_lag_;
  StatusLine status_;
  bool holding_ = false;
  bool stop_when_live_ = false;
};

}  // namespace ftvm::pair
