#pragma once
// The life of a VM that runs live on this host, from the first instruction
// (a primary) or from a takeover (a backup that went live) until the guest
// powers off, resets or the process is stopped. It alternates two phases:
//
//   paired: the primary's loop -- inputs recorded and streamed to a backup,
//           outputs behind the output gate (as PrimaryVm always did);
//   alone:  the plain live loop, outputs released directly.
//
// While alone and given spare host agents, it protects itself: asks the next
// agent to start `ftvm vm --role backup --from-clone`, clones the machine to
// it while the guest keeps running, stops the guest only for the final pages
// and state, and then runs paired with it as generation + 1 (so test-and-set
// keys of an older pair never decide the new one) while the backup still
// verifies the clone: the log is kept from the clone's instret on and every
// output waits at the gate until the backup has sent an ok verdict and acked
// the log the output depends on. A refused clone, a lost connection or a
// backup that never acks in time is a failover of that new pair: this side
// claims test-and-set for it, goes back to running alone (releasing what the
// gate held), and asks the agent to stop the half-started backup. A failed
// attempt leaves it alone and tries the next agent a little later; losing
// the backup of a pair (after winning test-and-set) brings it back to alone,
// and so to the next attempt.
//
// Given a control socket (options.control_path), an operator may also ask it
// to protect itself with one named agent (`ftvm protect`): the request is
// taken while alone, ahead of the spares, and runs the same attempt; its
// outcome goes back on the socket. Requests while paired or protecting are
// refused there.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/host_output_dispatcher.h"
#include "host/input_source.h"
#include "host/live_runner.h"
#include "host/stop_signals.h"
#include "machine/platform/machine.h"
#include "pair/control_server.h"
#include "pair/live_backends.h"
#include "pair/log_channel.h"
#include "pair/pair_options.h"

namespace ftvm::pair {

class CloneSource;

class LiveLoop {
 public:
  // `role`: what the status line calls this side while alone.
  LiveLoop(machine::Machine& m, LiveBackends& backends, host::StopSignals& signals, PairOptions options,
           std::string role);
  ~LiveLoop();
  LiveLoop(const LiveLoop&) = delete;
  LiveLoop& operator=(const LiveLoop&) = delete;

  // Runs to the end; first paired with the backup at the other end of
  // `channel` when one is given. Returns the process exit status; throws
  // ftvm::Error when that first backup never answers.
  int run(std::optional<LogChannel> channel);

 private:
  struct Attempt;
  struct Host {
    host::HostOutputDispatcher& dispatcher;
    std::vector<host::InputSource*> sources;
  };

  // Each returns the exit status when the run is over, nullopt to go on.
  // `handover`: the attempt whose backup still verifies its clone (null for
  // the backup the process started with, which must ack before the guest
  // runs).
  std::optional<int> run_paired(Host& host, LogChannel channel, Attempt* handover);
  std::optional<int> run_alone(Host& host, Attempt* attempt);
  std::unique_ptr<Attempt> start_attempt();
  // At the clone's pause: the final bytes, then the log channel the backup
  // opened before its clone. The guest may run again when this returns.
  std::optional<LogChannel> hand_over(Attempt& attempt);
  // `held_ms`: how long the full log held the guest while the backup
  // verified.
  void report_protected(const Attempt& attempt, double held_ms);
  void attempt_failed(const std::string& agent, const std::string& why);
  // A failed attempt whose backup was started: also asks its agent to stop
  // it, so it does not linger until its own timeouts.
  void abandon(const Attempt& attempt, const std::string& why);
  void set_phase(ProtectionPhase phase);  // tells the control socket, if any
  int exit_status(const host::RunResult& result);

  machine::Machine& m_;
  LiveBackends& backends_;
  host::StopSignals& signals_;
  PairOptions options_;
  std::string role_;
  std::unique_ptr<ControlServer> control_;
  std::size_t next_spare_ = 0;
  std::optional<std::chrono::steady_clock::time_point> retry_at_;
};

}  // namespace ftvm::pair
