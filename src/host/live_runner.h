#pragma once
// Drives one machine live. Each turn:
//   1. run a slice: run_until(instret + quantum)
//   2. hand every output to the OutputPort, in order
//   3. collect host events from every InputSource and apply them, one by
//      one, through apply_input() -- the single path into the guest
//   4. apply a Time input (host monotonic clock in mtime ticks since boot)
//      when ~1 ms of host time has passed since the last one
// When the machine reports kIdle (WFI, nothing pending) and step 3 found no
// host event (one found may be the interrupt it waits for), it sleeps in the
// EventWaiter on every source's fd until an event arrives or host time
// reaches the guest's next timer deadline, then applies a Time input --
// an idle guest costs no CPU.
#include <cstdint>
#include <vector>

#include "host/event_waiter.h"
#include "host/guest_timebase.h"
#include "host/input_port.h"
#include "host/input_source.h"
#include "host/output_port.h"
#include "host/runnable_machine.h"

namespace ftvm::host {

struct RunnerOptions {
  std::uint64_t quantum = 100'000;               // instructions per slice
  std::int64_t time_input_interval_ns = 1'000'000;  // host time between Time inputs
};

enum class RunEnd { kPowerOff, kStopped };

struct RunResult {
  RunEnd end = RunEnd::kStopped;
  int exit_code = 0;
};

class LiveRunner {
 public:
  LiveRunner(RunnableMachine& machine, InputPort& inputs, OutputPort& outputs, const GuestTimebase& timebase,
             EventWaiter& waiter, std::vector<InputSource*> sources, RunnerOptions options = {});

  // Runs until the guest powers off or resets, or a source asks to stop.
  RunResult run();

  // Every host event goes into the guest here, at machine.instret().
  void apply_input(const machine::Input& in);

  std::uint64_t inputs_applied() const { return inputs_applied_; }
  std::uint64_t idle_waits() const { return idle_waits_; }

 private:
  void dispatch_outputs();
  std::size_t apply_host_events();
  void apply_time();
  void maybe_apply_time();
  void wait_while_idle();
  bool stop_requested() const;

  RunnableMachine& machine_;
  InputPort& inputs_;
  OutputPort& outputs_;
  const GuestTimebase& timebase_;
  EventWaiter& waiter_;
  std::vector<InputSource*> sources_;
  RunnerOptions options_;
  std::int64_t last_time_input_ns_ = 0;
  std::uint64_t inputs_applied_ = 0;
  std::uint64_t idle_waits_ = 0;
};

}  // namespace ftvm::host
