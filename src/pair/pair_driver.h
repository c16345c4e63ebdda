#pragma once
// Runs an ft::FtNode against the real world: the logging channel, a tick
// timer and test-and-set. It turns what happens into events (ticks, frames,
// a closed channel, TAS answers), steps the node, and carries out each Ready
// in the documented order, handing the parts that concern the machine
// (entries to replay, outputs to release or drop, go-live, halt) to a
// ReadyHandler.
//
// Two threads use it. The owner (the vCPU thread) appends, reports outputs
// and execution, and makes every ReadyHandler call. A keeper thread
// (start_keeper) services the channel and the timer every tick while the
// owner is busy -- a 512 MiB checkpoint digest, a long replay step, building
// the backup's machine -- so heartbeats and acks never stop because this
// side is computing, and the peer's failure timeout only measures real
// failures. The node is stepped under one lock; the keeper queues handler
// calls instead of making them, and wakes the owner (wake_fd) to make them.
// (Cheaper checkpoints alone would not do: they need dirty-page tracking in
// guest RAM, and a long replay step or the backup's machine build would
// still silence it.) A slow backup therefore still acks what it received at
// once; its lag only shows as execution lag, which the primary's max-lag
// throttle bounds.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "disk/unique_fd.h"
#include "ft/ft_node.h"
#include "pair/handler_call.h"
#include "pair/log_channel.h"
#include "pair/tas_claim.h"
#include "pair/tick_timer.h"

namespace ftvm::pair {

// What the owner reads of the node, taken under the lock in one go.
struct NodeSnapshot {
  ft::NodeState state = ft::NodeState::kPrimary;
  ft::LogPosition appended = 0;
  ft::LogPosition acked = 0;
  ft::LogPosition backup_executed = 0;
  std::size_t held_outputs = 0;
  bool paused = false;
};

class PairDriver {
 public:
  PairDriver(ft::FtNode& node, LogChannel channel, TasClaim& tas, ReadyHandler& handler);
  ~PairDriver();
  PairDriver(const PairDriver&) = delete;
  PairDriver& operator=(const PairDriver&) = delete;

  // Owner thread. Feeds one event to the node, carries out everything it
  // asks (including the TAS answers it causes), then makes the handler
  // calls that are due. Safe to call from handler hooks.
  void step(ft::Event event);
  // An output that depends on everything appended so far.
  void output(ft::OutputId id);
  // Owner thread: frames that arrived, ticks for the time that passed, a
  // channel that closed, and the handler calls the keeper queued; never
  // blocks (except on a TAS request).
  void service();
  // Primary, at start, before start_keeper: waits (bounded) until the
  // backup has acknowledged the first log entry. Ticks meanwhile are not
  // counted: the backup's start may take longer than the failure timeout,
  // and with no echo yet nothing can be released, so the lease cannot be
  // fooled. False when the backup never answered.
  bool await_first_ack(std::chrono::milliseconds limit);
  // Primary whose backup still verifies a live clone while the guest
  // already runs (instead of await_first_ack before it runs):
  //  - the channel is not read until `admit()` returns true (the backup's ok
  //    verdict on the clone was read and names our state), so nothing the
  //    backup says counts before that; admit() throwing is a lost backup;
  //  - timer ticks are not counted until the backup's first ack: its restore
  //    and RAM digest may outlast the failure timeout, and with no echo yet
  //    nothing can be released, so the lease cannot be fooled;
  //  - no first ack by `deadline` is a lost backup too.
  // A lost backup is a PeerLostEvent: the node's failover (test-and-set for
  // the new pair) decides what the held outputs become. service() and the
  // keeper check all this, so `admit` may be called on either thread (never
  // on both at once).
  void defer_start(std::chrono::steady_clock::time_point deadline, std::function<bool()> admit);
  // Starts the keeper thread (once); stopped by stop_keeper() or the
  // destructor.
  void start_keeper();
  void stop_keeper();
  // Counts at most `n` ticks per service. For a backup only: its ticks
  // measure its lease wait and failure timeout, and counting fewer of them
  // after the whole process stalled only delays its failover, which is
  // safe; a primary must count every tick.
  void limit_tick_bursts(std::uint64_t n) { max_tick_burst_ = n; }
  // Owner thread: sleeps until handler calls are queued, at most `limit`.
  void wait(std::chrono::milliseconds limit);
  // Readable when the owner has handler calls to make (and, without a
  // keeper, when the channel or timer has something): for the live run
  // loop's idle poll.
  int wake_fd() const { return wake_.get(); }

  NodeSnapshot snapshot() const;
  // How long the node has asked for the guest to be held (a full unacked
  // log) in all, the current hold included.
  std::chrono::nanoseconds paused_total() const;
  // Why the node last started a failover ("" if it never did).
  std::string failover_reason() const;
  // Why the channel closed ("" while open).
  std::string close_reason() const;
  // Lets queued messages reach the peer and waits (bounded) for it to hang
  // up, without stepping the node: for a side that is done (its guest
  // powered off), so the peer's close is not mistaken for a failure.
  // Stops the keeper first.
  void linger(std::chrono::milliseconds limit);
  // Drops the connection (e.g. once live alone: there is no one to talk to).
  void close_channel(const std::string& why);

 private:
  void run_queue();  // lock held
  void carry_out(const ft::Ready& ready);  // lock held
  void queue_call(HandlerCall call);  // lock held
  void take_frames_and_ticks();  // lock held
  void make_handler_calls();  // owner thread, lock not held
  void report_channel_close();  // owner thread, lock not held
  void check_deferred_start();  // either thread, lock not held
  void keeper_loop(const std::atomic<bool>& stop);
  void keeper_service();
  void watch(int fd, std::uint32_t events);
  void update_write_interest();  // lock held
  void signal_owner();
  void clear_wake();

  ft::FtNode& node_;
  LogChannel channel_;
  TasClaim& tas_;
  ReadyHandler& handler_;
  TickTimer timer_;
  disk::UniqueFd epoll_;  // timer + channel: what the keeper sleeps on
  disk::UniqueFd wake_;   // eventfd: handler calls are queued
  mutable std::mutex mu_;
  std::deque<ft::Event> queue_;
  std::deque<HandlerCall> calls_;
  bool making_calls_ = false;  // owner thread only
  bool peer_loss_reported_ = false;
  bool peer_finished_ = false;
  bool write_interest_ = false;
  std::uint64_t max_tick_burst_ = UINT64_MAX;
  bool paused_ = false;
  std::chrono::steady_clock::time_point paused_since_{};
  std::chrono::nanoseconds paused_total_{0};
  // Deferred start (defer_start): ticks not counted until the first ack,
  // the channel not read until admit_ says so.
  std::string failover_reason_;
  bool defer_start_ = false;
  bool frames_held_ = false;
  std::function<bool()> admit_;
  std::mutex admit_mu_;  // held while admit_ runs
  std::chrono::steady_clock::time_point first_ack_deadline_{};
  std::atomic<bool> keeper_stop_{false};
  std::thread keeper_;
};

}  // namespace ftvm::pair
