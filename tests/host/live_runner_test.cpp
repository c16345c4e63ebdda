// The run loop against a scripted machine, a fake clock and a fake waiter:
// Time input cadence, idle sleeping, the single input path.
#include "host/live_runner.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>

#include "fake_clock.h"
#include "host/guest_timebase.h"

namespace ftvm::host {
namespace {

using machine::Input;
using machine::InputKind;
using machine::Output;
using machine::StopReason;

constexpr std::uint64_t kHz = 10'000'000;  // 10 MHz timebase: 1 tick = 100 ns

// A guest that computes for `busy_slices` slices (each costing host time),
// then either powers off or goes idle until its timer (mtime >= deadline)
// or any device input wakes it, then powers off after one more slice.
class ScriptedMachine final : public RunnableMachine {
 public:
  explicit ScriptedMachine(FakeClock& clock) : clock_(clock) {}

  StopReason run_until(machine::Instret limit) override {
    ++run_calls;
    if (waiting) {
      deliver_arrival();
      return StopReason::kIdle;
    }
    clock_.now += slice_cost_ns;
    instret_ = limit;
    pending_.push_back(Output{machine::OutputKind::kConsole, 0, instret_, 0, 0, 0, {'x'}});
    if (busy_slices > 0 && --busy_slices == 0 && go_idle_after_busy) {
      waiting = true;
      return StopReason::kOutput;
    }
    if (busy_slices == 0) return StopReason::kPowerOff;
    return StopReason::kLimit;
  }
  machine::Instret instret() const override { return instret_; }
  void apply(const Input& in) override {
    applied.push_back({in, instret_});
    if (in.kind == InputKind::kTime) mtime = std::max(mtime, in.value);
    if (waiting && (mtime >= deadline || in.kind == InputKind::kDeviceData)) waiting = false;
  }
  std::vector<Output> take_outputs() override { return std::exchange(pending_, {}); }
  std::uint64_t next_timer_deadline() const override { return deadline; }
  int exit_code() const override { return 7; }

  struct Applied {
    Input in;
    machine::Instret at;
  };
  std::vector<Applied> applied;
  std::vector<std::uint64_t> time_values() const {
    std::vector<std::uint64_t> v;
    for (const auto& a : applied)
      if (a.in.kind == InputKind::kTime) v.push_back(a.in.value);
    return v;
  }

  int busy_slices = 1;
  bool go_idle_after_busy = false;
  bool waiting = false;
  std::uint64_t deadline = UINT64_MAX;
  std::uint64_t mtime = 0;
  std::int64_t slice_cost_ns = 100'000;
  int run_calls = 0;
  // An input that lands in `arrivals` (a source's queue) during the first
  // idle slice: a completion racing the guest into WFI.
  std::optional<Input> arrival_while_idle;
  std::deque<Input>* arrivals = nullptr;

 private:
  void deliver_arrival() {
    if (!arrival_while_idle || !arrivals) return;
    arrivals->push_back(*arrival_while_idle);
    arrival_while_idle.reset();
  }

  FakeClock& clock_;
  machine::Instret instret_ = 0;
  std::vector<Output> pending_;
};

class ScriptedSource final : public InputSource {
 public:
  int wake_fd() const override { return 42; }
  void collect(std::vector<Input>& out) override {
    while (!ready.empty()) {
      out.push_back(ready.front());
      ready.pop_front();
    }
  }
  bool stop_requested() const override { return stop; }
  std::deque<Input> ready;
  bool stop = false;
};

// Sleeps on a fake clock: advances it by the timeout, or delivers the
// scripted event (after `event_after_ns`) if one is armed.
class FakeWaiter final : public EventWaiter {
 public:
  FakeWaiter(FakeClock& clock, ScriptedSource& source) : clock_(clock), source_(source) {}
  void wait(std::span<const int> fds, std::optional<std::int64_t> timeout_ns) override {
    calls.push_back({std::vector<int>(fds.begin(), fds.end()), timeout_ns});
    if (event) {
      clock_.now += event_after_ns;
      source_.ready.push_back(*event);
      event.reset();
    } else if (timeout_ns) {
      clock_.now += *timeout_ns;
    } else {
      source_.stop = true;  // would sleep forever: end the test instead
    }
  }
  struct Call {
    std::vector<int> fds;
    std::optional<std::int64_t> timeout;
  };
  std::vector<Call> calls;
  std::optional<Input> event;
  std::int64_t event_after_ns = 0;

 private:
  FakeClock& clock_;
  ScriptedSource& source_;
};

class CollectingOutputs final : public OutputPort {
 public:
  void deliver(const Output& out) override { delivered.push_back(out); }
  std::vector<Output> delivered;
};

// Counts what passes through the input path, then forwards it: what a
// recorder would do.
class CountingInputPort final : public InputPort {
 public:
  explicit CountingInputPort(RunnableMachine& m) : inner_(m) {}
  void apply(const Input& in) override {
    ++count;
    inner_.apply(in);
  }
  int count = 0;

 private:
  MachineInputPort inner_;
};

struct Harness {
  FakeClock clock;
  ScriptedMachine machine{clock};
  ScriptedSource source;
  FakeWaiter waiter{clock, source};
  CollectingOutputs outputs;
  CountingInputPort inputs{machine};
  GuestTimebase timebase{clock, kHz};

  RunResult run(RunnerOptions opt = {}) {
    LiveRunner runner(machine, inputs, outputs, timebase, waiter, {&source}, opt);
    RunResult r = runner.run();
    EXPECT_EQ(runner.inputs_applied(), static_cast<std::uint64_t>(inputs.count));
    return r;
  }
};

TEST(LiveRunner, AppliesATimeInputAboutEveryMillisecondWhileBusy) {
  Harness h;
  h.machine.busy_slices = 40;
  h.machine.slice_cost_ns = 300'000;  // 40 slices = 12 ms of host time
  RunResult r = h.run();
  EXPECT_EQ(r.end, RunEnd::kPowerOff);
  EXPECT_EQ(r.exit_code, 7);
  auto times = h.machine.time_values();
  // One at boot, then one per elapsed millisecond (checked after each slice).
  EXPECT_GE(times.size(), 10u);
  EXPECT_LE(times.size(), 13u);
  EXPECT_EQ(times.front(), 0u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_GE(times.back(), 100'000u);  // >= 10 ms in ticks
  EXPECT_TRUE(h.waiter.calls.empty());  // never slept while busy
}

TEST(LiveRunner, DeliversEveryOutputInOrder) {
  Harness h;
  h.machine.busy_slices = 5;
  h.run();
  ASSERT_EQ(h.outputs.delivered.size(), 5u);
  for (std::size_t i = 1; i < 5; ++i)
    EXPECT_GT(h.outputs.delivered[i].instret, h.outputs.delivered[i - 1].instret);
}

TEST(LiveRunner, IdleGuestSleepsUntilItsTimerDeadline) {
  Harness h;
  h.machine.busy_slices = 1;
  h.machine.go_idle_after_busy = true;
  h.machine.slice_cost_ns = 200'000;     // goes idle 0.2 ms after boot
  h.machine.deadline = 30'000;           // timer at 3 ms
  h.run();
  ASSERT_EQ(h.waiter.calls.size(), 1u);  // one sleep, no spinning
  ASSERT_TRUE(h.waiter.calls[0].timeout);
  EXPECT_EQ(*h.waiter.calls[0].timeout, 2'800'000);
  EXPECT_EQ(h.waiter.calls[0].fds, std::vector<int>{42});
  // The Time input after the sleep reaches the deadline, firing the timer.
  EXPECT_GE(h.machine.time_values().back(), 30'000u);
  EXPECT_FALSE(h.machine.waiting);
  EXPECT_LE(h.machine.run_calls, 4);
}

TEST(LiveRunner, IdleGuestWithAPastDeadlineDoesNotSleep) {
  Harness h;
  h.machine.go_idle_after_busy = true;
  h.machine.slice_cost_ns = 2'000'000;
  h.machine.deadline = 5'000;  // 0.5 ms: already passed when it idles at 2 ms
  h.run();
  EXPECT_TRUE(h.waiter.calls.empty());
  EXPECT_FALSE(h.machine.waiting);
}

TEST(LiveRunner, AnEventWakesAnIdleGuestThroughTheInputPath) {
  Harness h;
  h.machine.go_idle_after_busy = true;  // no timer armed: only an input can wake it
  Input frame;
  frame.kind = InputKind::kDeviceData;
  frame.device = 2;
  frame.bytes = {1, 2, 3};
  h.waiter.event = frame;
  h.waiter.event_after_ns = 700'000;
  h.run();
  ASSERT_EQ(h.waiter.calls.size(), 1u);
  EXPECT_FALSE(h.waiter.calls[0].timeout);  // no deadline: sleep until an event
  auto it = std::find_if(h.machine.applied.begin(), h.machine.applied.end(),
                         [](const auto& a) { return a.in.kind == InputKind::kDeviceData; });
  ASSERT_NE(it, h.machine.applied.end());
  EXPECT_EQ(it->in.bytes, (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(it->at, 100'000u);  // applied at the count where the guest sat idle
  // And the clock caught up with the host after the sleep.
  EXPECT_GE(h.machine.time_values().back(), 7'000u + 1'000u);
  EXPECT_EQ(static_cast<std::size_t>(h.inputs.count), h.machine.applied.size());
}

// Taking that input drains the source's wake fd, so a runner that slept now
// would leave the guest's interrupt unseen until its timer (it once did: a
// guest fsync waited ~20 ms for every disk write that completed quickly).
TEST(LiveRunner, AnInputTakenAfterAnIdleSliceRunsTheGuestBeforeAnySleep) {
  Harness h;
  h.machine.go_idle_after_busy = true;
  h.machine.deadline = 200'000;  // the guest's timer: 20 ms away
  Input completion;
  completion.kind = InputKind::kDeviceData;
  completion.device = 1;
  h.machine.arrival_while_idle = completion;
  h.machine.arrivals = &h.source.ready;
  RunResult r = h.run();
  EXPECT_EQ(r.end, RunEnd::kPowerOff);  // woke on the input, ran, powered off
  EXPECT_TRUE(h.waiter.calls.empty());
  EXPECT_LT(h.machine.time_values().back(), 200'000u);  // long before its timer
}

TEST(LiveRunner, StopsWhenASourceAsksTo) {
  Harness h;
  h.machine.go_idle_after_busy = true;  // idle forever: the fake waiter then raises stop
  RunResult r = h.run();
  EXPECT_EQ(r.end, RunEnd::kStopped);
}

}  // namespace
}  // namespace ftvm::host
