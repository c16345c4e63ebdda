#include "ft/ft_node.h"

#include <fmt/format.h>

#include <algorithm>

#include "ft/message_codec.h"

namespace ftvm::ft {

FtNode::FtNode(const FtConfig& config, PairId pair, InitialRole role, LogPosition start)
    : config_(config),
      pair_(std::move(pair)),
      origin_(role),
      state_(role == InitialRole::kPrimary ? NodeState::kPrimary : NodeState::kBackup),
      appended_(start),
      acked_(start),
      backup_executed_(start),
      sent_through_(start),
      received_(start),
      executed_(start) {
  validate_config(config_);
  validate_pair_id(pair_);
}

void FtNode::step(Event event) {
  if (state_ == NodeState::kHalted) {
    // A halted node answers nothing; the only thing it still owes the driver
    // is a verdict on outputs, and that verdict is "never".
    if (const auto* out = std::get_if<OutputEvent>(&event)) ready_.drop.push_back(out->id);
    return;
  }
  std::visit([this](const auto& e) { on(e); }, event);
  flush();
}

bool FtNode::lease_valid() const { return lease_echo_ != 0 && now_ - lease_echo_ < config_.lease_ticks; }

bool FtNode::is_primary_side() const {
  return state_ == NodeState::kPrimary || state_ == NodeState::kPrimaryFailover;
}

bool FtNode::is_backup_side() const {
  return state_ == NodeState::kBackup || state_ == NodeState::kBackupFailover || state_ == NodeState::kPromoting;
}

bool FtNode::peer_silent() const { return now_ - last_heard_ >= config_.failure_timeout_ticks; }

// ---- events -----------------------------------------------------------------

void FtNode::on(const TickEvent&) {
  ++now_;
  switch (state_) {
    case NodeState::kPrimary:
      if (peer_silent()) return enter_failover("no word from the backup within the failure timeout");
      if (now_ >= next_heartbeat_) send(Heartbeat{now_, appended_});
      // Go back to the last acked entry when acks stall; the backup drops
      // whatever it already has.
      if (sent_through_ > acked_ && now_ - last_ack_progress_ >= config_.retransmit_ticks) {
        sent_through_ = acked_;
        last_ack_progress_ = now_;
      }
      return;
    case NodeState::kBackup:
      if (peer_silent()) return enter_failover("no word from the primary within the failure timeout");
      if (now_ >= next_heartbeat_) ack_due_ = true;
      return;
    case NodeState::kPrimaryFailover:
    case NodeState::kBackupFailover:
      return request_tas_if_due();
    case NodeState::kPromoting:
    case NodeState::kLive:
    case NodeState::kHalted:
      return;
  }
}

void FtNode::on(const FrameEvent& e) {
  DecodeResult decoded = decode_message(e.bytes);
  if (!decoded.message) return reject(std::move(decoded.error));
  on(MessageEvent{std::move(*decoded.message)});
}

void FtNode::on(const MessageEvent& e) {
  const Message& m = e.message;
  if (std::string why = validate_envelope(m); !why.empty()) return reject(std::move(why));
  // Once a failover has begun the peer is gone for good, whatever it says:
  // only test-and-set decides what happens next.
  if (state_ != NodeState::kPrimary && state_ != NodeState::kBackup) return;
  const bool for_backup = state_ == NodeState::kBackup;
  if (const auto* b = std::get_if<LogBatch>(&m.body); b && for_backup) return on_log_batch(*b);
  if (const auto* h = std::get_if<Heartbeat>(&m.body); h && for_backup) return on_heartbeat(*h);
  if (const auto* a = std::get_if<Ack>(&m.body); a && !for_backup) return on_ack(*a);
  reject(fmt::format("ft: a {} is not something a {} accepts", message_kind_name(m.body), to_string(state_)));
}

void FtNode::on(const TasAnswerEvent& e) {
  const bool in_failover = state_ == NodeState::kPrimaryFailover || state_ == NodeState::kBackupFailover;
  if (!in_failover || !tas_outstanding_) {
    return reject(fmt::format("ft: test-and-set answer '{}' arrived with no request outstanding (state {})",
                              to_string(e.result), to_string(state_)));
  }
  tas_outstanding_ = false;
  switch (e.result) {
    case TasResult::kWon:
      if (state_ == NodeState::kPrimaryFailover) return go_live();
      state_ = NodeState::kPromoting;
      return finish_promotion_if_drained();
    case TasResult::kLost:
      return halt(fmt::format("lost test-and-set for {}: the peer went live", tas_key(pair_)));
    case TasResult::kUnreachable:
      // Never guess: without an answer we neither go live nor give up.
      next_tas_attempt_ = now_ + config_.tas_retry_ticks;
      return;
  }
  reject(fmt::format("ft: unknown test-and-set result {}", static_cast<int>(e.result)));
}

void FtNode::on(const OutputEvent& e) {
  if (is_backup_side()) {
    // The primary produced (and, when safe, released) the same output.
    ready_.drop.push_back(e.id);
    return;
  }
  if (e.position > appended_ || e.position < last_output_position_) {
    ready_.drop.push_back(e.id);
    return reject(fmt::format("ft: output {} claims log position {}, but the log ends at {} and the previous "
                              "output was at {}; dropped",
                              e.id, e.position, appended_, last_output_position_));
  }
  last_output_position_ = e.position;
  if (state_ == NodeState::kLive) {
    ready_.release.push_back(e.id);
  } else {
    gate_.hold(e.id, e.position);
  }
}

void FtNode::on(const AppendEvent& e) {
  if (!is_primary_side() && state_ != NodeState::kLive) {
    return reject(fmt::format("ft: a {} does not append to the log", to_string(state_)));
  }
  for (std::size_t i = 0; i < e.entries.size(); ++i) {
    if (e.entries[i].seq != appended_ + 1 + i) {
      return reject(fmt::format("ft: appended entries must continue the log at {}, entry {} has sequence {}",
                                appended_ + 1, i, e.entries[i].seq));
    }
  }
  for (const LogEntry& entry : e.entries) {
    appended_ = entry.seq;
    if (state_ != NodeState::kLive) unacked_.push(entry);
  }
}

void FtNode::on(const ExecutedEvent& e) {
  if (!is_backup_side()) return reject(fmt::format("ft: a {} does not replay a log", to_string(state_)));
  if (e.position < executed_ || e.position > received_) {
    return reject(fmt::format("ft: executed position {} is outside [{}, {}] (executed, received)", e.position,
                              executed_, received_));
  }
  executed_ = e.position;
  if (state_ == NodeState::kBackup) ack_due_ = true;  // the primary's lag check wants it
  if (state_ == NodeState::kPromoting) finish_promotion_if_drained();
}

void FtNode::on(const PeerLostEvent& e) {
  if (state_ == NodeState::kPrimary || state_ == NodeState::kBackup) {
    enter_failover(fmt::format("lost the peer: {}", e.reason));
  }
}

// ---- messages ---------------------------------------------------------------

std::string FtNode::validate_envelope(const Message& m) const {
  if (m.pair != pair_) {
    return fmt::format("ft: rejected a message for VM '{}' generation {}; this pair is '{}' generation {}",
                       m.pair.vm_name, m.pair.generation, pair_.vm_name, pair_.generation);
  }
  const Sender peer = origin_ == InitialRole::kPrimary ? Sender::kBackup : Sender::kPrimary;
  if (m.sender != peer) {
    return fmt::format("ft: rejected a message from a {}; this node started as the {} and only hears its {}",
                       to_string(m.sender), origin_ == InitialRole::kPrimary ? "primary" : "backup",
                       to_string(peer));
  }
  return {};
}

void FtNode::on_log_batch(const LogBatch& b) {
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    if (b.entries[i].seq == 0 || b.entries[i].seq != b.entries[0].seq + i) {
      return reject("ft: rejected a log batch whose sequence numbers are not consecutive from 1 up");
    }
  }
  last_heard_ = now_;
  highest_probe_ = std::max(highest_probe_, b.probe);
  for (const LogEntry& e : b.entries) {
    if (e.seq <= received_) continue;    // a duplicate
    if (e.seq != received_ + 1) break;   // a gap: the primary will go back
    received_ = e.seq;
    ready_.deliver.push_back(e);
  }
  ack_due_ = true;
}

void FtNode::on_heartbeat(const Heartbeat& h) {
  last_heard_ = now_;
  highest_probe_ = std::max(highest_probe_, h.probe);
  // Answering at once renews the primary's lease in one round trip.
  ack_due_ = true;
}

void FtNode::on_ack(const Ack& a) {
  if (a.received > appended_ || a.executed > a.received || a.probe_echo > now_) {
    return reject(fmt::format("ft: rejected an ack (received {}, executed {}, echo {}) that does not fit a log "
                              "of {} entries at tick {}",
                              a.received, a.executed, a.probe_echo, appended_, now_));
  }
  last_heard_ = now_;
  // Acks may arrive out of order: everything here only moves forward.
  lease_echo_ = std::max(lease_echo_, a.probe_echo);
  backup_executed_ = std::max(backup_executed_, a.executed);
  if (a.received > acked_) {
    acked_ = a.received;
    unacked_.drop_through(acked_);
    last_ack_progress_ = now_;
    sent_through_ = std::max(sent_through_, acked_);
  }
}

// ---- transitions ------------------------------------------------------------

void FtNode::enter_failover(const std::string& reason) {
  ready_.failover = reason;
  ack_due_ = false;
  if (state_ == NodeState::kPrimary) {
    // The backup never releases anything before winning, so the primary can
    // ask at once.
    state_ = NodeState::kPrimaryFailover;
    next_tas_attempt_ = now_;
  } else {
    // The primary may still trust our last echo for lease_ticks; one more
    // tick absorbs the rounding of both sides' tick counts.
    state_ = NodeState::kBackupFailover;
    next_tas_attempt_ = std::max(now_, last_sent_ + config_.lease_ticks + 1);
  }
  request_tas_if_due();
}

void FtNode::request_tas_if_due() {
  if (tas_outstanding_ || now_ < next_tas_attempt_) return;
  tas_outstanding_ = true;
  ready_.tas_request = TasRequest{tas_key(pair_), origin_ == InitialRole::kPrimary ? "primary" : "backup"};
}

void FtNode::finish_promotion_if_drained() {
  if (state_ == NodeState::kPromoting && executed_ == received_) go_live();
}

void FtNode::go_live() {
  const bool was_backup = state_ == NodeState::kPromoting;
  state_ = NodeState::kLive;
  ready_.go_live = true;
  if (was_backup) {
    // The replayed log becomes the live log; outputs from here on are new.
    appended_ = executed_;
    last_output_position_ = 0;
  } else {
    // We won: nobody else will ever release, so everything held may go.
    auto held = gate_.take_all();
    ready_.release.insert(ready_.release.end(), held.begin(), held.end());
  }
  unacked_.clear();
}

void FtNode::halt(const std::string& reason) {
  state_ = NodeState::kHalted;
  ready_.halt = reason;
  auto held = gate_.take_all();
  ready_.drop.insert(ready_.drop.end(), held.begin(), held.end());
  unacked_.clear();
}

// ---- end of step ------------------------------------------------------------

void FtNode::flush() {
  if (state_ == NodeState::kPrimary) {
    send_unsent_entries();
    release_acked_outputs();
  } else if (state_ == NodeState::kBackup) {
    send_ack();
  }
  update_flow_levels();
}

void FtNode::send_unsent_entries() {
  // Nothing was in flight, so the retransmit clock starts now.
  if (sent_through_ == acked_ && appended_ > sent_through_) last_ack_progress_ = now_;
  while (sent_through_ < appended_) {
    std::vector<LogEntry> batch =
        unacked_.copy_from(sent_through_ + 1, config_.max_batch_entries, config_.max_batch_bytes);
    if (batch.empty()) return;
    sent_through_ = batch.back().seq;
    send(LogBatch{now_, std::move(batch)});
  }
}

void FtNode::send_ack() {
  if (!ack_due_) return;
  ack_due_ = false;
  send(Ack{highest_probe_, received_, executed_});
}

void FtNode::release_acked_outputs() {
  if (!lease_valid()) return;
  auto released = gate_.release_through(acked_);
  ready_.release.insert(ready_.release.end(), released.begin(), released.end());
}

void FtNode::update_flow_levels() {
  if (!is_primary_side() && state_ != NodeState::kLive) return;
  bool want_pause = false;
  bool want_throttle = false;
  if (is_primary_side()) {
    want_pause =
        unacked_.entries() >= config_.max_unacked_entries || unacked_.bytes() >= config_.max_unacked_bytes;
    want_throttle = appended_ - backup_executed_ > config_.max_execution_lag;
  }
  if (want_pause != paused_) ready_.pause = paused_ = want_pause;
  if (want_throttle != throttled_) ready_.throttle = throttled_ = want_throttle;
}

void FtNode::send(MessageBody body) {
  const Sender me = origin_ == InitialRole::kPrimary ? Sender::kPrimary : Sender::kBackup;
  ready_.send.push_back(Message{pair_, me, std::move(body)});
  last_sent_ = now_;
  next_heartbeat_ = now_ + config_.heartbeat_interval_ticks;
}

void FtNode::reject(std::string why) { ready_.errors.push_back(std::move(why)); }

}  // namespace ftvm::ft
