#pragma once
// Runs an ft::FtNode against the real world: the logging channel, a tick
// timer and test-and-set. It turns what happens into events (ticks, frames,
// a closed channel, TAS answers), steps the node, and carries out each Ready
// in the documented order, handing the parts that concern the machine
// (entries to replay, outputs to release or drop, go-live, halt) to a
// ReadyHandler. Single-threaded: the run loop calls service() between
// slices and wait() when it has nothing else to do.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "disk/unique_fd.h"
#include "ft/ft_node.h"
#include "pair/log_channel.h"
#include "pair/tas_claim.h"
#include "pair/tick_timer.h"

namespace ftvm::pair {

class ReadyHandler {
 public:
  virtual ~ReadyHandler() = default;
  virtual void deliver(const ft::LogEntry& entry) { (void)entry; }
  virtual void release(ft::OutputId id) { (void)id; }
  virtual void drop(ft::OutputId id) { (void)id; }
  virtual void go_live() {}
  virtual void halt(const std::string& reason) { (void)reason; }
  // True when the peer said all it had to say (the log's end marker came),
  // so its hanging up is the end of the run, not a failure.
  virtual bool peer_finished() const { return false; }
};

class PairDriver {
 public:
  PairDriver(ft::FtNode& node, LogChannel channel, TasClaim& tas, ReadyHandler& handler);
  PairDriver(const PairDriver&) = delete;
  PairDriver& operator=(const PairDriver&) = delete;

  // Feeds one event to the node and carries out everything it asks,
  // including the TAS answers it causes. Safe to call from handler hooks:
  // events raised meanwhile are queued and run in order.
  void step(ft::Event event);
  // Ticks for the time that passed, frames that arrived, a channel that
  // closed; never blocks.
  void service();
  // Primary, at start: waits (bounded) until the backup has acknowledged
  // the first log entry, which it does only once it has built its machine.
  // Ticks meanwhile are not counted: the backup's build may take longer than
  // the failure timeout, and with no echo yet nothing can be released, so
  // the lease cannot be fooled. False when the backup never answered.
  bool await_first_ack(std::chrono::milliseconds limit);
  // Counts at most `n` ticks per service() call. For a backup only: its ticks
  // measure its lease wait and failure timeout, and counting fewer of them
  // after a stall of its own (a machine build, a long replay step) only
  // delays its failover, which is safe; a primary must count every tick.
  void limit_tick_bursts(std::uint64_t n) { max_tick_burst_ = n; }
  // Sleeps until the channel or the timer has something, at most `limit`.
  void wait(std::chrono::milliseconds limit);
  // Readable when service() has work: for the live run loop's idle poll.
  int wake_fd() const { return epoll_.get(); }

  const ft::FtNode& node() const { return node_; }
  const LogChannel& channel() const { return channel_; }
  bool paused() const { return paused_; }
  // Lets queued messages reach the peer and waits (bounded) for it to hang
  // up, without stepping the node: for a side that is done (its guest
  // powered off), so the peer's close is not mistaken for a failure.
  void linger(std::chrono::milliseconds limit);
  // Drops the connection (e.g. once live alone: there is no one to talk to).
  void close_channel(const std::string& why);

 private:
  void run_queue();
  void carry_out(const ft::Ready& ready);
  void watch(int fd);

  ft::FtNode& node_;
  LogChannel channel_;
  TasClaim& tas_;
  ReadyHandler& handler_;
  TickTimer timer_;
  disk::UniqueFd epoll_;
  std::deque<ft::Event> queue_;
  bool running_ = false;
  bool peer_loss_reported_ = false;
  bool peer_finished_ = false;
  std::uint64_t max_tick_burst_ = UINT64_MAX;
  bool paused_ = false;
};

}  // namespace ftvm::pair
