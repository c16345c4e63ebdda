#include "host/live_runner.h"

#include <optional>

namespace ftvm::host {

LiveRunner::LiveRunner(RunnableMachine& machine, InputPort& inputs, OutputPort& outputs, const GuestTimebase& timebase,
                       EventWaiter& waiter, std::vector<InputSource*> sources, RunnerOptions options)
    : machine_(machine),
      inputs_(inputs),
      outputs_(outputs),
      timebase_(timebase),
      waiter_(waiter),
      sources_(std::move(sources)),
      options_(options) {}

void LiveRunner::apply_input(const machine::Input& in) {
  inputs_.apply(in);
  ++inputs_applied_;
}

RunResult LiveRunner::run() {
  apply_time();  // mtime starts from the host clock at boot
  for (;;) {
    if (stop_requested()) return {RunEnd::kStopped, 130};
    machine::StopReason why = machine_.run_until(machine_.instret() + options_.quantum);
    dispatch_outputs();
    if (why == machine::StopReason::kPowerOff) return {RunEnd::kPowerOff, machine_.exit_code()};
    const std::size_t arrived = apply_host_events();
    // An input taken after an idle slice (a disk completion that landed
    // while the guest was going into WFI) may be the very interrupt the guest
    // waits for, and its wake fd has just been drained: sleeping now would
    // leave it unseen until the guest's next timer (~20 ms per fsync). Run
    // the guest first; if it is still idle the next slice says so at once.
    if (why == machine::StopReason::kIdle && arrived == 0) {
      wait_while_idle();
    } else {
      maybe_apply_time();
    }
  }
}

void LiveRunner::dispatch_outputs() {
  for (const auto& out : machine_.take_outputs()) outputs_.deliver(out);
}

std::size_t LiveRunner::apply_host_events() {
  std::vector<machine::Input> batch;
  for (InputSource* s : sources_) s->collect(batch);
  for (const auto& in : batch) apply_input(in);
  return batch.size();
}

void LiveRunner::apply_time() {
  machine::Input t;
  t.kind = machine::InputKind::kTime;
  t.value = timebase_.mtime_now();
  last_time_input_ns_ = timebase_.elapsed_ns();
  apply_input(t);
}

void LiveRunner::maybe_apply_time() {
  if (timebase_.elapsed_ns() - last_time_input_ns_ >= options_.time_input_interval_ns) apply_time();
}

// The guest waits for an interrupt. Bring its clock up to host time (which
// may already fire its timer); if nothing is due yet, sleep until a source
// has something or host time reaches the timer deadline.
void LiveRunner::wait_while_idle() {
  apply_time();
  std::uint64_t deadline = machine_.next_timer_deadline();
  std::optional<std::int64_t> timeout;
  if (deadline != UINT64_MAX) {
    timeout = timebase_.ns_until(deadline);
    if (*timeout <= 0) return;  // the Time input just applied fires it
  }
  if (stop_requested()) return;
  std::vector<int> fds;
  for (InputSource* s : sources_)
    if (s->wake_fd() >= 0) fds.push_back(s->wake_fd());
  ++idle_waits_;
  waiter_.wait(fds, timeout);
  apply_host_events();
  apply_time();
}

bool LiveRunner::stop_requested() const {
  for (InputSource* s : sources_)
    if (s->stop_requested()) return true;
  return false;
}

}  // namespace ftvm::host
