#include "ft/sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "ft/ft_node.h"
#include "ft/message_codec.h"
#include "ft/sim/fake_guest.h"
#include "ft/sim/trace_hasher.h"

namespace ftvm::ft::sim {
namespace {

constexpr int kPrimaryNode = 0;
constexpr int kBackupNode = 1;
constexpr std::size_t kMaxViolations = 20;

// What the simulator remembers about each output it handed to a node.
struct OutputMeta {
  int node = 0;
  LogPosition position = 0;
  std::uint64_t write_id = 0;  // the reply to this client write; 0 = none
};

struct SimNode {
  SimNode(const FtConfig& config, const PairId& pair, InitialRole role) : core(config, pair, role) {}
  FtNode core;
  FakeGuest guest;
  bool crashed = false;
  bool paused = false;
  bool throttled = false;
  bool went_live = false;
  std::uint64_t stalled_until = 0;  // replay makes no progress before this
};

struct PeerLostNotice {
  std::uint64_t at;
  int node;
};

bool runs_live(NodeState s) {
  return s == NodeState::kPrimary || s == NodeState::kPrimaryFailover || s == NodeState::kLive;
}

bool replays(NodeState s) {
  return s == NodeState::kBackup || s == NodeState::kBackupFailover || s == NodeState::kPromoting;
}

std::string claimant_of(int node) { return node == kPrimaryNode ? "primary" : "backup"; }

class Simulation {
 public:
  explicit Simulation(const SimOptions& o)
      : o_(o), rng_(o.seed), net_(o.channel, o.network, rng_), tas_(o.tas, rng_), key_(tas_key(pair_)) {
    nodes_.reserve(2);
    nodes_.emplace_back(o.ft, pair_, InitialRole::kPrimary);
    nodes_.emplace_back(o.ft, pair_, InitialRole::kBackup);
  }

  SimResult run() {
    for (std::uint32_t i = 0; i < o_.steps && result_.violations.size() < kMaxViolations; ++i) step_once();
    check_final();
    for (int n : {kPrimaryNode, kBackupNode}) result_.final_state[n] = nodes_[n].core.state();
    result_.trace_hash = trace_.digest();
    return std::move(result_);
  }

 private:
  void step_once() {
    ++now_;
    trace_.add(now_);
    inject_faults();
    deliver_network();
    deliver_tas();
    deliver_peer_lost();
    for (int n : {kPrimaryNode, kBackupNode}) {
      if (!nodes_[n].crashed) run_guest(n);
    }
    for (int n : {kPrimaryNode, kBackupNode}) {
      if (!nodes_[n].crashed) feed(n, TickEvent{});
    }
    check_step_invariants();
  }

  // ---- faults ---------------------------------------------------------------

  void run_script() {
    for (const ScriptedFault& f : o_.script) {
      if (f.at_step != now_) continue;
      switch (f.kind) {
        case FaultKind::kCrash:
          if (!nodes_[f.node].crashed) crash(f.node);
          break;
        case FaultKind::kPartition:
          net_.partition_until(kPrimaryNode, now_ + f.duration);
          net_.partition_until(kBackupNode, now_ + f.duration);
          break;
        case FaultKind::kTasOutage:
          tas_.outage_until(now_ + f.duration);
          break;
        case FaultKind::kTasIsolation:
          tas_.isolate_until(f.node, now_ + f.duration);
          break;
        case FaultKind::kCut:
          cut_connection();
          break;
      }
    }
  }

  void inject_faults() {
    run_script();
    for (int n : {kPrimaryNode, kBackupNode}) {
      if (!nodes_[n].crashed && rng_.chance(o_.crash_permille)) crash(n);
    }
    const std::uint64_t timeout = o_.ft.failure_timeout_ticks;
    if (rng_.chance(o_.partition_permille)) {
      // Both directions, or only one: then one side hears the other but
      // cannot make itself heard.
      const std::uint64_t which = rng_.below(3);
      note("partition", now_ + rng_.between(1, 3 * timeout), [&](auto until) {
        if (which != 1) net_.partition_until(kPrimaryNode, until);
        if (which != 0) net_.partition_until(kBackupNode, until);
      });
    }
    if (net_.connection_alive() && rng_.chance(o_.cut_permille)) cut_connection();
    if (rng_.chance(o_.tas_outage_permille)) {
      note("tas outage", now_ + rng_.between(1, 30), [&](auto until) { tas_.outage_until(until); });
    }
    if (rng_.chance(o_.tas_isolation_permille)) {
      const int n = static_cast<int>(rng_.below(2));
      note("tas isolation", now_ + rng_.between(1, 30), [&](auto until) { tas_.isolate_until(n, until); });
    }
    if (rng_.chance(o_.backup_stall_permille)) {
      note("stall", now_ + rng_.between(1, 40), [&](auto until) { nodes_[kBackupNode].stalled_until = until; });
    }
  }

  void cut_connection() {
    trace_.add("cut");
    net_.cut();
    // Each end may or may not learn of it; if not, silence tells it.
    for (int n : {kPrimaryNode, kBackupNode}) {
      if (rng_.chance(700)) peer_lost_.push_back(PeerLostNotice{now_ + rng_.between(0, 3), n});
    }
  }

  template <typename Apply>
  void note(std::string_view what, std::uint64_t until, Apply apply) {
    trace_.add(what);
    trace_.add(until);
    apply(until);
  }

  void crash(int n) {
    trace_.add("crash");
    trace_.add(static_cast<std::uint64_t>(n));
    nodes_[n].crashed = true;
    ++result_.stats.crashes;
    // A dead process resets its socket; a dead host just goes quiet.
    if (rng_.chance(500)) peer_lost_.push_back(PeerLostNotice{now_ + rng_.between(1, 4), 1 - n});
  }

  // ---- deliveries -----------------------------------------------------------

  void deliver_network() {
    for (Packet& p : net_.take_due(now_)) {
      trace_.add(static_cast<std::uint64_t>(p.to));
      trace_.add(p.bytes);
      if (nodes_[p.to].crashed) continue;
      feed(p.to, FrameEvent{std::move(p.bytes)}, p.corrupted);
    }
  }

  void deliver_tas() {
    for (const TasDelivery& d : tas_.take_due(now_)) {
      trace_.add("tas");
      trace_.add(static_cast<std::uint64_t>(d.node));
      trace_.add(static_cast<std::uint64_t>(d.result));
      if (nodes_[d.node].crashed) continue;
      if (d.result == TasResult::kUnreachable) ++result_.stats.tas_unreachable;
      feed(d.node, TasAnswerEvent{d.result});
    }
  }

  void deliver_peer_lost() {
    std::vector<PeerLostNotice> later;
    for (const PeerLostNotice& p : peer_lost_) {
      if (p.at > now_) {
        later.push_back(p);
      } else if (!nodes_[p.node].crashed) {
        trace_.add("peer lost");
        feed(p.node, PeerLostEvent{"connection reset"});
      }
    }
    peer_lost_ = std::move(later);
  }

  // ---- guests ---------------------------------------------------------------

  void run_guest(int n) {
    const NodeState s = nodes_[n].core.state();
    if (runs_live(s)) run_live_guest(n);
    if (replays(s)) run_replay_guest(n);
  }

  void run_live_guest(int n) {
    SimNode& node = nodes_[n];
    const std::uint32_t write_chance = node.throttled ? o_.write_permille / 4 : o_.write_permille;
    if (!node.paused && rng_.chance(write_chance)) {
      const std::uint64_t write_id = next_write_id_++;
      ++result_.stats.writes_started;
      LogEntry e = node.guest.append_write(write_id, rng_.below(o_.max_padding + 1));
      const LogPosition at = e.seq;
      feed(n, AppendEvent{{std::move(e)}});
      produce_output(n, at, write_id);
    }
    if (!node.paused && rng_.chance(o_.timer_permille)) {
      feed(n, AppendEvent{{node.guest.append_timer(now_, rng_.below(o_.max_padding + 1))}});
    }
    if (!node.paused && rng_.chance(o_.console_permille)) produce_output(n, node.guest.log_end(), 0);
  }

  void run_replay_guest(int n) {
    SimNode& node = nodes_[n];
    if (now_ < node.stalled_until) return;
    const std::vector<LogEntry> done = node.guest.execute(rng_.below(4));
    if (done.empty()) return;
    feed(n, ExecutedEvent{done.back().seq});
    // Replay reproduces the replies; the backup's node must drop them.
    for (const LogEntry& e : done) {
      if (FakeGuest::decode(e).kind == EntryKind::kWrite) produce_output(n, e.seq, 0);
    }
  }

  void produce_output(int n, LogPosition position, std::uint64_t write_id) {
    const OutputId id = next_output_id_++;
    outputs_[id] = OutputMeta{n, position, write_id};
    feed(n, OutputEvent{id, position});
  }

  // ---- the node's actions ---------------------------------------------------

  void feed(int n, Event e, bool errors_expected = false) {
    nodes_[n].core.step(std::move(e));
    process_ready(n, errors_expected);
  }

  void process_ready(int n, bool errors_expected) {
    SimNode& node = nodes_[n];
    while (node.core.has_ready()) {
      const Ready r = node.core.ready();
      node.core.advance();
      trace_.add(static_cast<std::uint64_t>(n));
      trace_.add(to_string(node.core.state()));
      on_deliver(n, r.deliver);
      for (const Message& m : r.send) {
        std::vector<std::uint8_t> bytes = encode_message(m);
        trace_.add(bytes);
        net_.send(1 - n, std::move(bytes), now_);
      }
      for (OutputId id : r.release) on_release(n, id);
      for (OutputId id : r.drop) {
        trace_.add(id);
        outputs_.erase(id);
      }
      if (r.tas_request) {
        trace_.add(r.tas_request->key);
        tas_.request(n, *r.tas_request, now_);
      }
      if (r.failover) {
        trace_.add(*r.failover);
        ++result_.stats.failovers;
      }
      if (r.go_live) on_go_live(n);
      if (r.halt) on_halt(n, *r.halt);
      if (r.pause) set_level(node.paused, *r.pause, result_.stats.pauses, "pause");
      if (r.throttle) set_level(node.throttled, *r.throttle, result_.stats.throttles, "throttle");
      for (const std::string& e : r.errors) {
        trace_.add(e);
        if (errors_expected) {
          ++result_.stats.corrupt_rejected;
        } else {
          violation(fmt::format("node {} rejected an input it should have accepted: {}", n, e));
        }
      }
    }
  }

  void set_level(bool& level, bool value, std::uint64_t& counter, std::string_view what) {
    trace_.add(what);
    trace_.add(static_cast<std::uint64_t>(value));
    level = value;
    if (value) ++counter;
  }

  // Invariant: the backup receives exactly the primary's log, in order.
  void on_deliver(int n, const std::vector<LogEntry>& entries) {
    if (entries.empty()) return;
    const std::vector<LogEntry>& primary_log = nodes_[kPrimaryNode].guest.log();
    for (const LogEntry& e : entries) {
      trace_.add(e.seq);
      if (n != kBackupNode || e.seq == 0 || e.seq > primary_log.size() || primary_log[e.seq - 1] != e) {
        violation(fmt::format("node {} was handed entry {} that differs from the primary's log", n, e.seq));
      }
    }
    nodes_[n].guest.receive(entries);
  }

  // Invariants: only the TAS winner releases once TAS has decided; a primary
  // releases only what the backup already holds; a released reply is a
  // client's acknowledged write and must survive in the live side's log.
  void on_release(int n, OutputId id) {
    trace_.add(id);
    ++result_.stats.outputs_released;
    auto it = outputs_.find(id);
    if (it == outputs_.end() || it->second.node != n) {
      return violation(fmt::format("node {} released output {} it never produced", n, id));
    }
    const OutputMeta meta = it->second;
    outputs_.erase(it);
    const NodeState s = nodes_[n].core.state();
    const std::optional<std::string> holder = tas_.holder(key_);
    if (s == NodeState::kLive) {
      if (holder != claimant_of(n)) violation(fmt::format("node {} released while live without holding TAS", n));
    } else if (s == NodeState::kPrimary) {
      if (holder) violation(fmt::format("node {} released as primary after TAS went to the {}", n, *holder));
      if (meta.position > nodes_[kBackupNode].core.received()) {
        violation(fmt::format("primary released output at {} but the backup holds only {}", meta.position,
                              nodes_[kBackupNode].core.received()));
      }
    } else {
      violation(fmt::format("node {} released an output in state {}", n, to_string(s)));
    }
    if (meta.write_id == 0) return;
    ++result_.stats.writes_acked;
    acked_writes_.push_back(meta.write_id);
    for (int other : {kPrimaryNode, kBackupNode}) {
      if (nodes_[other].went_live) check_acked_writes(other);
    }
  }

  // Invariants: at most one side ever goes live, and only with TAS won; a
  // backup goes live only after executing everything it received.
  void on_go_live(int n) {
    trace_.add("live");
    SimNode& node = nodes_[n];
    node.went_live = true;
    result_.went_live_at[n] = now_;
    if (n == kBackupNode) {
      ++result_.stats.backup_went_live;
      if (node.guest.pending() != 0 || node.guest.log_end() != node.core.received()) {
        violation(fmt::format("backup went live with {} of {} received entries unexecuted", node.guest.pending(),
                              node.core.received()));
      }
    } else {
      ++result_.stats.primary_went_live;
    }
    if (tas_.holder(key_) != claimant_of(n)) violation(fmt::format("node {} went live without winning TAS", n));
    if (nodes_[1 - n].went_live) violation("both sides went live");
    check_acked_writes(n);
  }

  void on_halt(int n, const std::string& why) {
    trace_.add(why);
    ++result_.stats.halts;
    if (tas_.holder(key_) == claimant_of(n)) violation(fmt::format("node {} halted although it won TAS", n));
  }

  void check_acked_writes(int n) {
    for (std::uint64_t w : acked_writes_) {
      if (!nodes_[n].guest.contains_write(w)) {
        violation(fmt::format("acknowledged write {} is missing from live node {}'s log", w, n));
      }
    }
  }

  // Invariants on flow control: the in-flight log stays bounded because the
  // machine was told to pause in time, and lag beyond the bound throttles.
  void check_step_invariants() {
    const SimNode& p = nodes_[kPrimaryNode];
    if (p.crashed || p.core.state() != NodeState::kPrimary) return;
    const std::uint64_t unacked = p.core.unacked_entries();
    if (unacked > o_.ft.max_unacked_entries) {
      violation(fmt::format("{} unacked entries exceed the bound {}", unacked, o_.ft.max_unacked_entries));
    }
    if (unacked >= o_.ft.max_unacked_entries && !p.paused) violation("log buffer full but machine not paused");
    if (p.core.appended() - p.core.backup_executed() > o_.ft.max_execution_lag && !p.throttled) {
      violation("backup lags beyond the bound but the primary is not throttled");
    }
  }

  void check_final() {
    for (int n : {kPrimaryNode, kBackupNode}) {
      if (nodes_[n].went_live) check_acked_writes(n);
    }
    trace_.add(result_.stats.writes_acked);
  }

  void violation(std::string what) {
    if (result_.violations.size() < kMaxViolations) {
      result_.violations.push_back(fmt::format("seed {} step {}: {}", o_.seed, now_, what));
    }
  }

  SimOptions o_;
  PairId pair_{"sim-vm", 7};
  Rng rng_;
  SimNetwork net_;
  SimTas tas_;
  std::string key_;
  std::vector<SimNode> nodes_;
  std::uint64_t now_ = 0;
  std::uint64_t next_write_id_ = 1;
  OutputId next_output_id_ = 1;
  std::map<OutputId, OutputMeta> outputs_;
  std::vector<std::uint64_t> acked_writes_;
  std::vector<PeerLostNotice> peer_lost_;
  TraceHasher trace_;
  SimResult result_;
};

}  // namespace

SimOptions quiet_options(std::uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.ft.heartbeat_interval_ticks = 2;
  o.ft.failure_timeout_ticks = 10;
  o.ft.lease_ticks = 6;
  o.ft.retransmit_ticks = 4;
  o.ft.tas_retry_ticks = 3;
  o.ft.max_unacked_entries = 32;
  o.ft.max_unacked_bytes = 4096;
  o.ft.max_execution_lag = 24;
  o.ft.max_batch_entries = 8;
  o.ft.max_batch_bytes = 1024;
  return o;
}

SimOptions randomized_options(std::uint64_t seed) {
  // A separate stream, so the fault plan does not shift the run's own draws.
  Rng r(seed * 0x9e3779b97f4a7c15ull + 0x5151);
  SimOptions o = quiet_options(seed);
  o.channel = r.chance(500) ? ChannelModel::kStream : ChannelModel::kDatagram;
  o.network.max_delay = static_cast<std::uint32_t>(r.between(1, 5));
  if (o.channel == ChannelModel::kDatagram) {
    o.network.drop_permille = static_cast<std::uint32_t>(r.between(0, 200));
    o.network.dup_permille = static_cast<std::uint32_t>(r.between(0, 100));
    o.network.corrupt_permille = static_cast<std::uint32_t>(r.between(0, 40));
  }
  o.network.spike_permille = static_cast<std::uint32_t>(r.chance(500) ? r.between(1, 40) : 0);
  o.network.spike_max_delay = static_cast<std::uint32_t>(r.between(10, 60));
  o.tas.answer_loss_permille = static_cast<std::uint32_t>(r.between(0, 150));
  auto sometimes = [&r](std::uint64_t max_permille) {
    return r.chance(600) ? static_cast<std::uint32_t>(r.between(1, max_permille)) : 0u;
  };
  o.crash_permille = sometimes(8);
  o.partition_permille = sometimes(10);
  o.cut_permille = sometimes(5);
  o.tas_outage_permille = sometimes(15);
  o.tas_isolation_permille = sometimes(15);
  o.backup_stall_permille = sometimes(30);
  o.write_permille = static_cast<std::uint32_t>(r.between(200, 900));
  o.timer_permille = static_cast<std::uint32_t>(r.between(0, 400));
  o.console_permille = static_cast<std::uint32_t>(r.between(0, 200));
  o.ft.heartbeat_interval_ticks = static_cast<std::uint32_t>(r.between(1, 3));
  o.ft.lease_ticks = o.ft.heartbeat_interval_ticks + static_cast<std::uint32_t>(r.between(2, 8));
  o.ft.failure_timeout_ticks = o.ft.heartbeat_interval_ticks + static_cast<std::uint32_t>(r.between(3, 16));
  o.ft.retransmit_ticks = static_cast<std::uint32_t>(r.between(2, 8));
  o.ft.tas_retry_ticks = static_cast<std::uint32_t>(r.between(1, 6));
  o.ft.max_unacked_entries = r.between(4, 64);
  o.ft.max_unacked_bytes = r.between(256, 8192);
  o.ft.max_execution_lag = r.between(4, 64);
  o.ft.max_batch_entries = static_cast<std::uint32_t>(r.between(1, 16));
  o.ft.max_batch_bytes = r.between(32, 2048);
  return o;
}

SimOptions stale_ack_options(std::uint64_t seed) {
  SimOptions o = randomized_options(seed);
  Rng r(seed * 0xd1b54a32d192ed03ull + 0x77);
  o.crash_permille = 0;
  o.cut_permille = 0;
  o.partition_permille = static_cast<std::uint32_t>(r.between(10, 40));
  o.network.spike_permille = static_cast<std::uint32_t>(r.between(50, 300));
  o.network.spike_max_delay = o.ft.failure_timeout_ticks + o.ft.lease_ticks + 4;
  o.write_permille = 900;
  return o;
}

SimResult run_simulation(const SimOptions& options) { return Simulation(options).run(); }

}  // namespace ftvm::ft::sim
