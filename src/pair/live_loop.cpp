#include "pair/live_loop.h"

#include <spdlog/spdlog.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include <cstdio>

#include "agent/agent_client.h"
#include "clone/tcp.h"
#include "disk/unique_fd.h"
#include "ft/node_state.h"
#include "host/console_input.h"
#include "host/entropy_source.h"
#include "host/event_waiter.h"
#include "host/guest_timebase.h"
#include "host/input_port.h"
#include "host/live_runner.h"
#include "host/monotonic_clock.h"
#include "host/runnable_machine.h"
#include "machine/core/error.h"
#include "pair/clone_preamble.h"
#include "pair/clone_source.h"
#include "pair/exit_codes.h"
#include "pair/machine_description.h"
#include "pair/pair_setup.h"
#include "pair/primary_parts.h"
#include "pair/status_feed.h"
#include "replay/state_digest.h"

namespace ftvm::pair {

namespace {

using Clock = std::chrono::steady_clock;

// After a failed attempt, the next agent is asked this much later: a host
// that just refused is unlikely to accept at once, and the guest should not
// be stopped again and again for nothing.
constexpr std::chrono::seconds kRetryPause{1};
constexpr std::chrono::milliseconds kAgentLimit{5000};
constexpr std::chrono::milliseconds kChannelAcceptLimit{200};

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Ends the alone loop when the next protection attempt is due. Its timer
// wakes an idle guest's loop then (a Linux guest may sleep for seconds).
class DueAt final : public host::InputSource {
 public:
  explicit DueAt(std::optional<Clock::time_point> at) : at_(at) {
    if (!at_) return;
    timer_ = disk::UniqueFd(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_.valid()) throw Error("timerfd_create failed");
    // steady_clock is CLOCK_MONOTONIC on Linux.
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at_->time_since_epoch()).count();
    itimerspec when{};
    when.it_value.tv_sec = ns / 1'000'000'000;
    when.it_value.tv_nsec = std::max<long long>(1, ns % 1'000'000'000);
    ::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &when, nullptr);
  }
  int wake_fd() const override { return timer_.valid() ? timer_.get() : -1; }
  void collect(std::vector<machine::Input>&) override {}
  bool stop_requested() const override { return at_ && Clock::now() >= *at_; }

 private:
  std::optional<Clock::time_point> at_;
  disk::UniqueFd timer_;
};

// The spare list as the new backup should try it: from the agent after
// `used` round to `used` itself last.
std::vector<std::string> rotated_after(const std::vector<std::string>& spares, std::size_t used) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= spares.size(); ++i) out.push_back(spares[(used + i) % spares.size()]);
  return out;
}

// While the new backup verifies the clone, the guest already runs paired.
// This source wakes the loop when the backup's verdict arrives (the driver
// reads it, see PairDriver::defer_start) and reports protection once the
// verified backup has acked the log.
class Handover final : public host::InputSource {
 public:
  Handover(const CloneSource& clone, PairDriver& driver, std::function<void()> on_protected)
      : clone_(clone), driver_(driver), on_protected_(std::move(on_protected)) {}
  // Once verified, the clone connection only has the backup's hang-up to
  // say: polling it then would spin the loop.
  int wake_fd() const override { return clone_.verified() || protected_ ? -1 : clone_.verdict_fd(); }
  void collect(std::vector<machine::Input>&) override {
    if (protected_ || !clone_.verified()) return;
    NodeSnapshot node = driver_.snapshot();
    if (node.state != ft::NodeState::kPrimary || node.acked == 0) return;
    protected_ = true;
    on_protected_();
  }
  // The backup verified the clone and acked the log: the pair is complete.
  bool protected_pair() const { return protected_; }

 private:
  const CloneSource& clone_;
  PairDriver& driver_;
  std::function<void()> on_protected_;
  bool protected_ = false;
};

}  // namespace

struct LiveLoop::Attempt {
  std::string agent;
  std::int64_t pid = 0;  // the backup process on the agent's host, once started
  std::uint64_t generation = 0;
  std::unique_ptr<ChannelListener> channel_listener;
  std::unique_ptr<CloneSource> clone;
  Clock::time_point started;
  double stopped_ms = 0;  // from the clone's pause until the guest ran again
};

LiveLoop::LiveLoop(machine::Machine& m, LiveBackends& backends, host::StopSignals& signals, PairOptions options,
                   std::string role)
    : m_(m), backends_(backends), signals_(signals), options_(std::move(options)), role_(std::move(role)) {
  if (!options_.control_path.empty()) {
    control_ = std::make_unique<ControlServer>(options_.control_path);
    std::fprintf(stderr, "ftvm vm: control socket %s (ftvm protect %s --to AGENT)\n", control_->path().c_str(),
                 control_->path().c_str());
    std::fflush(stderr);
  }
}

LiveLoop::~LiveLoop() = default;

int LiveLoop::run(std::optional<LogChannel> channel) {
  host::EntropySource entropy;
  host::HostOutputDispatcher dispatcher(STDOUT_FILENO, entropy);
  host::ConsoleInput console(STDIN_FILENO);
  Host host{dispatcher, {&signals_, &console, &entropy}};
  backends_.attach(dispatcher, host.sources);
  if (channel) {
    if (auto end = run_paired(host, std::move(*channel), nullptr)) return *end;
  }
  for (;;) {
    std::unique_ptr<Attempt> attempt = start_attempt();
    if (auto end = run_alone(host, attempt.get())) return *end;
    if (!attempt) continue;  // the retry pause is over
    if (!attempt->clone->paused()) {
      abandon(*attempt, attempt->clone->failure().value_or("the clone stopped"));
      continue;
    }
    std::optional<LogChannel> backup = hand_over(*attempt);
    if (!backup) continue;
    if (auto end = run_paired(host, std::move(*backup), attempt.get())) return *end;
  }
}

std::unique_ptr<LiveLoop::Attempt> LiveLoop::start_attempt() {
  // An operator's request goes first; it does not wait for the retry pause
  // of a failed spare either (someone asked for it now).
  std::optional<std::string> requested = control_ ? control_->take_request() : std::nullopt;
  if (!requested) {
    if (options_.spares.empty()) return nullptr;
    if (retry_at_ && Clock::now() < *retry_at_) return nullptr;
  }
  retry_at_.reset();
  set_phase(ProtectionPhase::kProtecting);
  auto a = std::make_unique<Attempt>();
  std::vector<std::string> backup_spares = options_.spares;
  if (requested) {
    a->agent = *requested;
  } else {
    const std::size_t used = next_spare_++ % options_.spares.size();
    a->agent = options_.spares[used];
    backup_spares = rotated_after(options_.spares, used);
  }
  a->generation = options_.pair.generation + 1;
  a->started = Clock::now();
  try {
    clone::TcpListener clone_listener(options_.advertise + ":0");
    a->channel_listener = std::make_unique<ChannelListener>(options_.advertise + ":0");
    agent::StartBackup request;
    request.name = options_.pair.vm_name;
    request.generation = a->generation;
    request.config_path = options_.config_path;
    request.peer = options_.advertise + ":" + std::to_string(a->channel_listener->port());
    request.from_clone = options_.advertise + ":" + std::to_string(clone_listener.port());
    request.tas = options_.tas;
    request.tas_etcd = options_.tas_etcd;
    request.spares = backup_spares;
    // The backup's own backups reach it on its agent's host.
    request.advertise = clone::split_host_port(a->agent).first;
    request.checkpoint_interval = options_.checkpoint_interval;
    agent::StartedBackup started = agent::request_backup(a->agent, request, kAgentLimit);
    a->pid = started.pid;
    std::fprintf(stderr, "ftvm vm: protecting %s: backup generation %llu started by %s (pid %lld, log %s)\n",
                 options_.pair.vm_name.c_str(), static_cast<unsigned long long>(a->generation), a->agent.c_str(),
                 static_cast<long long>(started.pid), started.log.c_str());
    std::fflush(stderr);
    a->clone = std::make_unique<CloneSource>(m_, std::move(clone_listener),
                                             encode_clone_preamble(describe_machine(backends_.opened_disks())),
                                             clone::ClonePolicy{}, options_.connect_timeout);
  } catch (const std::exception& e) {
    abandon(*a, e.what());
    return nullptr;
  }
  return a;
}

void LiveLoop::attempt_failed(const std::string& agent, const std::string& why) {
  spdlog::warn("ft: cannot protect {} with a backup from {}: {} (next try in {} s, still running alone)",
               options_.pair.vm_name, agent, why, kRetryPause.count());
  retry_at_ = Clock::now() + kRetryPause;
  if (control_) control_->report_failed(why);
}

void LiveLoop::set_phase(ProtectionPhase phase) {
  if (control_) control_->set_phase(phase);
}

void LiveLoop::abandon(const Attempt& a, const std::string& why) {
  attempt_failed(a.agent, why);
  if (a.pid <= 0) return;
  try {
    agent::stop_backup(a.agent, a.pid, kAgentLimit);
    spdlog::info("ft: asked {} to stop the backup it started (pid {})", a.agent, a.pid);
  } catch (const std::exception& e) {
    // It may have exited on its own already (a refusing backup does).
    spdlog::info("ft: stopping the backup {} started (pid {}): {}", a.agent, a.pid, e.what());
  }
}

std::optional<LogChannel> LiveLoop::hand_over(Attempt& a) {
  try {
    clone::CloneProgress p = a.clone->send_final();
    // The backup opened its log channel before it connected for the clone,
    // so the connection is queued on the listener already; waiting longer
    // would keep the guest stopped.
    std::optional<LogChannel> channel = a.channel_listener->accept(kChannelAcceptLimit);
    if (!channel) throw Error("the new backup has no log channel open at the end of its clone");
    std::fprintf(stderr,
                 "ftvm vm: cloned to the backup from %s: rounds %u, %llu bytes, at instret %llu, pause %.1f ms, "
                 "%.1f ms since the request; the guest runs on while the backup verifies\n",
                 a.agent.c_str(), p.rounds, static_cast<unsigned long long>(p.bytes),
                 static_cast<unsigned long long>(p.instret), ms(p.pause), ms_since(a.started));
    std::fflush(stderr);
    // From here the new pair exists: its generation is used up even if the
    // backup fails now (this side may claim test-and-set for it), so a later
    // attempt is generation + 1 again.
    options_.pair.generation = a.generation;
    return channel;
  } catch (const std::exception& e) {
    abandon(a, e.what());
    return std::nullopt;
  }
}

void LiveLoop::report_protected(const Attempt& a, double held_ms) {
  const clone::CloneProgress& p = a.clone->progress();
  const double verified_after = ms_since(a.clone->paused_at());
  // How far the guest got meanwhile shows whether the bounded log held it.
  std::fprintf(stderr,
               "ftvm vm: protected as generation %llu: the guest was stopped %.1f ms (the backup verified the clone "
               "and acked the log %.1f ms after the pause; meanwhile the guest ran %llu instructions and was held "
               "%.1f ms by the full log; clone total %.1f ms)\n",
               static_cast<unsigned long long>(options_.pair.generation), a.stopped_ms, verified_after,
               static_cast<unsigned long long>(m_.instret() - p.instret), held_ms, ms(p.total));
  std::fflush(stderr);
  if (control_) control_->report_protected(options_.pair.generation, a.stopped_ms);
}

std::optional<int> LiveLoop::run_alone(Host& host, Attempt* attempt) {
  host::MachineAdapter machine(m_);
  host::MachineInputPort inputs(machine);
  LiveStatusFeed status(StatusLine(options_), role_, m_, 0);
  DueAt retry(attempt ? std::nullopt : retry_at_);
  set_phase(attempt ? ProtectionPhase::kProtecting : ProtectionPhase::kAlone);
  std::vector<host::InputSource*> sources = host.sources;
  sources.push_back(&status);
  if (control_) sources.push_back(control_.get());
  sources.push_back(attempt ? static_cast<host::InputSource*>(attempt->clone.get()) : &retry);
  host::SteadyClock clock;
  host::GuestTimebase timebase(clock, m_.config().timebase_hz, m_.mtime());
  host::PollWaiter waiter;
  host::LiveRunner runner(machine, inputs, host.dispatcher, timebase, waiter, std::move(sources));
  host::RunResult result = runner.run();
  std::fflush(stdout);
  bool ours = result.end == host::RunEnd::kStopped && !signals_.stop_requested() &&
              (attempt || retry.stop_requested() || (control_ && control_->stop_requested()));
  if (ours) return std::nullopt;
  return exit_status(result);
}

std::optional<int> LiveLoop::run_paired(Host& host, LogChannel channel, Attempt* handover) {
  spdlog::info("ft: primary of {}/{} connected to its backup at {}", options_.pair.vm_name, options_.pair.generation,
               channel.peer_name());
  StatusLine status(options_, channel.peer_name());
  replay::LogHeader header{replay::config_hash(m_.config()), describe_machine(backends_.opened_disks())};
  // The log starts here: at the clone's instret, for a backup that cloned.
  PrimaryLog log(m_, header, options_.checkpoint_interval);
  ft::FtNode node(ft_config_from(options_), options_.pair, ft::InitialRole::kPrimary);
  TasClaim tas(make_tas_client(options_), options_.host_id.empty() ? default_host_id() : options_.host_id);
  OutputGatePort gate(host.dispatcher, log);
  set_phase(ProtectionPhase::kPaired);
  PairDriver driver(node, std::move(channel), tas, gate);
  gate.connect(driver);
  log.publish(driver);  // the header goes first
  if (handover) {
    // The guest runs on while the backup verifies the clone: the gate holds
    // every output until the backup's ok verdict and its ack of the log the
    // output depends on; the unacked log is bounded by the node, which
    // pauses the guest when it is full.
    CloneSource& clone = *handover->clone;
    driver.defer_start(Clock::now() + options_.connect_timeout, [&clone] { return clone.take_verdict(); });
  } else if (!driver.await_first_ack(options_.connect_timeout)) {
    std::string why = driver.close_reason().empty() ? std::string("no answer in time") : driver.close_reason();
    throw Error("the backup never acknowledged the log header: " + why);
  }
  // From here on heartbeats must not wait for the vCPU thread: a checkpoint
  // digest of a large RAM can take longer than the backup's failure timeout.
  driver.start_keeper();

  host::MachineAdapter machine(m_);
  RecordingInputPort inputs(m_, log);
  PrimaryPump pump(m_, log, driver, gate, signals_, options_.max_lag_instructions, std::move(status));
  // Back to the alone loop once the backup is lost, where spares or an
  // operator's request can protect this side again.
  if (!options_.spares.empty() || control_) pump.stop_when_live();
  std::vector<host::InputSource*> sources = host.sources;
  sources.push_back(&pump);
  std::optional<Handover> watch;
  if (handover) {
    watch.emplace(*handover->clone, driver,
                  [this, handover, &driver] { report_protected(*handover, ms(driver.paused_total())); });
    sources.push_back(&*watch);
    handover->stopped_ms = ms_since(handover->clone->paused_at());
  }
  host::SteadyClock clock;
  host::GuestTimebase timebase(clock, m_.config().timebase_hz, m_.mtime());
  host::PollWaiter waiter;
  host::LiveRunner runner(machine, inputs, gate, timebase, waiter, std::move(sources));
  host::RunResult result = runner.run();
  if (watch && !watch->protected_pair() && gate.live()) {
    // The new backup was lost before it verified the clone and acked: this
    // side won test-and-set for the new pair, so that backup can never go
    // live, and what the gate held has been released (no backup could ever
    // take those outputs over, so holding them would only lose them).
    abandon(*handover, "the new backup was lost before it acknowledged the log: " + driver.failover_reason());
    return std::nullopt;
  }
  if (gate.halted()) {
    std::fflush(stdout);
    std::fprintf(stderr, "ftvm vm: primary halted: %s\n", gate.halt_reason().c_str());
    return kExitHalted;
  }
  if (result.end == host::RunEnd::kPowerOff) log.finish();
  // Whatever the guest said last still needs the backup's ack to leave.
  pump.drain_outputs();
  std::fflush(stdout);
  if (gate.halted()) {
    std::fprintf(stderr, "ftvm vm: primary halted: %s\n", gate.halt_reason().c_str());
    return kExitHalted;
  }
  if (result.end == host::RunEnd::kStopped && gate.live() && !signals_.stop_requested()) {
    std::fprintf(stderr, "ftvm vm: lost the backup of generation %llu at instret %llu: running alone\n",
                 static_cast<unsigned long long>(options_.pair.generation),
                 static_cast<unsigned long long>(m_.instret()));
    std::fflush(stderr);
    return std::nullopt;
  }
  return exit_status(result);
}

int LiveLoop::exit_status(const host::RunResult& result) {
  const int exit_code = result.exit_code;
  switch (result.end) {
    case host::RunEnd::kPowerOff:
      std::fprintf(stderr, "ftvm vm: %s: the guest powered off at instret %llu, state hash %016llx\n", role_.c_str(),
                   static_cast<unsigned long long>(m_.instret()), static_cast<unsigned long long>(m_.state_hash()));
      return exit_code;
    case host::RunEnd::kStopped:
      std::fprintf(stderr, "ftvm vm: stopped\n");
      return signals_.signal_number() != 0 ? 128 + signals_.signal_number() : exit_code;
  }
  return 1;
}

}  // namespace ftvm::pair
