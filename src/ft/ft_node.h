#pragma once
// One member of a fault-tolerant pair, as a pure state machine: no I/O, no
// threads, no clock. The driver feeds it events and carries out what it asks:
//
//   node.step(event);                 // or node.tick() on each timer period
//   if (node.has_ready()) {
//     const Ready& r = node.ready();  // deliver, send, release, TAS, ...
//     ...carry it out...
//     node.advance();
//   }
//
// The rules it enforces (docs/FT-PROTOCOL.md has the full story):
//
// Output Rule. The primary releases an output only once the backup has
// acknowledged receiving every log entry the output depends on. The backup
// never releases anything; it drops its outputs until it goes live.
//
// Lease. An ack can be old by the time it arrives, and the backup might
// already be racing for test-and-set. So the primary also needs a fresh echo:
// it releases only while the newest probe the backup echoed was sent less than
// lease_ticks ago (by the primary's own timer). A backup that starts a
// failover sends nothing more and waits lease_ticks (plus one tick for
// rounding) after the last message it sent before asking test-and-set. Any echo the primary still trusts was
// produced before that last message, so every release by the primary happens
// before the backup even asks: once test-and-set has decided, only the winner
// releases. This needs only equal tick rates, not bounded message delay.
//
// Failover. Silence for failure_timeout_ticks, or a PeerLostEvent, starts a
// failover: the node asks test-and-set (retrying while it is unreachable) and
// holds every output meanwhile. Winning makes a primary live at once; a backup
// first executes every entry it received, then goes live. Losing halts.
#include <cstdint>
#include <optional>

#include "ft/event.h"
#include "ft/ft_config.h"
#include "ft/log_buffer.h"
#include "ft/node_state.h"
#include "ft/output_gate.h"
#include "ft/pair_id.h"
#include "ft/ready.h"

namespace ftvm::ft {

enum class InitialRole : std::uint8_t { kPrimary, kBackup };

class FtNode {
 public:
  // Throws ftvm::Error on a bad config or pair identity. A backup starts with
  // `start` entries already executed (0 for a fresh pair; the log position of
  // the snapshot it was cloned from otherwise); a primary's log starts there
  // too.
  FtNode(const FtConfig& config, PairId pair, InitialRole role, LogPosition start = 0);

  void step(Event event);
  void tick() { step(TickEvent{}); }

  bool has_ready() const { return !ready_.empty(); }
  const Ready& ready() const { return ready_; }
  void advance() { ready_ = Ready{}; }

  NodeState state() const { return state_; }
  const PairId& pair() const { return pair_; }
  std::uint64_t now() const { return now_; }
  // Primary side: the local log length and how much of it the backup holds.
  LogPosition appended() const { return appended_; }
  LogPosition acked() const { return acked_; }
  LogPosition backup_executed() const { return backup_executed_; }
  std::uint64_t unacked_entries() const { return unacked_.entries(); }
  std::size_t held_outputs() const { return gate_.held(); }
  bool lease_valid() const;
  // Backup side: entries received and executed.
  LogPosition received() const { return received_; }
  LogPosition executed() const { return executed_; }

 private:
  void on(const TickEvent&);
  void on(const MessageEvent& e);
  void on(const FrameEvent& e);
  void on(const TasAnswerEvent& e);
  void on(const OutputEvent& e);
  void on(const AppendEvent& e);
  void on(const ExecutedEvent& e);
  void on(const PeerLostEvent& e);

  // Message handling, after the envelope was checked.
  std::string validate_envelope(const Message& m) const;
  void on_log_batch(const LogBatch& b);
  void on_heartbeat(const Heartbeat& h);
  void on_ack(const Ack& a);

  bool is_primary_side() const;
  bool is_backup_side() const;
  bool peer_silent() const;
  void enter_failover(const std::string& reason);
  void request_tas_if_due();
  void finish_promotion_if_drained();
  void go_live();
  void halt(const std::string& reason);

  // Work done at the end of every step.
  void flush();
  void send_unsent_entries();
  void send_ack();
  void release_acked_outputs();
  void update_flow_levels();
  void send(MessageBody body);
  void reject(std::string why);

  FtConfig config_;
  PairId pair_;
  InitialRole origin_;  // which side of the pair this node started as
  NodeState state_;
  Ready ready_;
  // Ticks start at 1 so that a probe value of 0 can mean "none seen".
  std::uint64_t now_ = 1;
  std::uint64_t last_heard_ = 1;   // last tick the peer said anything valid
  std::uint64_t last_sent_ = 0;    // last tick this node sent the peer anything
  std::uint64_t next_heartbeat_ = 1;

  // Primary side.
  LogPosition appended_ = 0;
  LogPosition acked_ = 0;
  LogPosition backup_executed_ = 0;
  LogPosition sent_through_ = 0;
  std::uint64_t last_ack_progress_ = 1;
  std::uint64_t lease_echo_ = 0;  // newest probe the backup echoed
  LogPosition last_output_position_ = 0;
  LogBuffer unacked_;
  OutputGate gate_;
  bool paused_ = false;
  bool throttled_ = false;

  // Backup side.
  LogPosition received_ = 0;
  LogPosition executed_ = 0;
  std::uint64_t highest_probe_ = 0;
  bool ack_due_ = false;

  // Failover.
  bool tas_outstanding_ = false;
  std::uint64_t next_tas_attempt_ = 0;
};

}  // namespace ftvm::ft
