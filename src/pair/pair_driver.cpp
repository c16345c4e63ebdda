#include "pair/pair_driver.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ft/node_state.h"
#include "machine/core/error.h"
#include "pair/pair_options.h"

namespace ftvm::pair {

PairDriver::PairDriver(ft::FtNode& node, LogChannel channel, TasClaim& tas, ReadyHandler& handler)
    : node_(node),
      channel_(std::move(channel)),
      tas_(tas),
      handler_(handler),
      timer_(kTickPeriod),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_.valid()) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
  if (!wake_.valid()) throw Error(std::string("eventfd: ") + std::strerror(errno));
  watch(timer_.fd(), EPOLLIN);
  if (!channel_.closed()) watch(channel_.fd(), EPOLLIN);
}

PairDriver::~PairDriver() { stop_keeper(); }

void PairDriver::watch(int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
}

// The keeper sleeps on the epoll set; while output waits for the socket it
// must also wake when the socket can take more.
void PairDriver::update_write_interest() {
  bool want = !channel_.closed() && channel_.queued_bytes() > 0;
  if (want == write_interest_ || channel_.closed()) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  ev.data.fd = channel_.fd();
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, channel_.fd(), &ev);
  write_interest_ = want;
}

void PairDriver::step(ft::Event event) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(event));
    run_queue();
  }
  make_handler_calls();
}

void PairDriver::output(ft::OutputId id) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(ft::OutputEvent{id, node_.appended()});
    run_queue();
  }
  make_handler_calls();
}

void PairDriver::run_queue() {
  while (!queue_.empty()) {
    ft::Event e = std::move(queue_.front());
    queue_.pop_front();
    node_.step(std::move(e));
    if (!node_.has_ready()) continue;
    ft::Ready ready = node_.ready();
    node_.advance();
    carry_out(ready);  // may queue the TAS answer
  }
  channel_.flush();
  update_write_interest();
}

void PairDriver::queue_call(HandlerCall call) {
  calls_.push_back(std::move(call));
  signal_owner();
}

void PairDriver::carry_out(const ft::Ready& r) {
  using Kind = HandlerCall::Kind;
  for (const auto& e : r.deliver) queue_call({Kind::kDeliver, e, 0, {}});
  for (const auto& m : r.send) channel_.send(m);
  for (auto id : r.release) queue_call({Kind::kRelease, {}, id, {}});
  for (auto id : r.drop) queue_call({Kind::kDrop, {}, id, {}});
  if (r.failover) {
    spdlog::warn("ft {}: failover: {}", node_.pair().vm_name, *r.failover);
    failover_reason_ = *r.failover;
  }
  if (r.tas_request) {
    ft::TasResult answer = tas_.ask(*r.tas_request);
    spdlog::info("ft: test-and-set {} as {}: {} ({})", r.tas_request->key, r.tas_request->claimant,
                 ft::to_string(answer), tas_.last_detail());
    queue_.push_back(ft::TasAnswerEvent{answer});
  }
  if (r.go_live) queue_call({Kind::kGoLive, {}, 0, {}});
  if (r.halt) queue_call({Kind::kHalt, {}, 0, *r.halt});
  if (r.pause) {
    const auto now = std::chrono::steady_clock::now();
    if (*r.pause && !paused_) paused_since_ = now;
    if (!*r.pause && paused_) paused_total_ += now - paused_since_;
    paused_ = *r.pause;
    signal_owner();  // a held guest may run again
  }
  for (const auto& e : r.errors) spdlog::error("{}", e);
}

void PairDriver::signal_owner() {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

void PairDriver::clear_wake() {
  std::uint64_t n = 0;
  [[maybe_unused]] ssize_t r = ::read(wake_.get(), &n, sizeof n);
}

void PairDriver::make_handler_calls() {
  if (making_calls_) return;  // an outer call on this thread is making them
  making_calls_ = true;
  for (;;) {
    std::deque<HandlerCall> calls;
    {
      std::lock_guard lock(mu_);
      calls.swap(calls_);
      clear_wake();
    }
    if (calls.empty()) break;
    for (const auto& c : calls) c.apply_to(handler_);
  }
  making_calls_ = false;
}

// Frames before ticks: after this process was held up, what the peer sent
// meanwhile proves it alive, and the ticks that piled up must not declare
// it silent first.
void PairDriver::take_frames_and_ticks() {
  if (!channel_.closed() && !frames_held_) {
    for (auto& frame : channel_.receive()) queue_.push_back(ft::FrameEvent{std::move(frame)});
    run_queue();
  }
  std::uint64_t ticks = timer_.take_expirations();
  // Before the first ack of a deferred start, only a failover (a refused
  // clone, a lost channel) needs time to pass: its test-and-set retries.
  if (defer_start_ && node_.acked() == 0 && node_.state() == ft::NodeState::kPrimary) ticks = 0;
  for (std::uint64_t n = std::min(ticks, max_tick_burst_); n > 0; --n) {
    queue_.push_back(ft::TickEvent{});
    run_queue();
  }
}

void PairDriver::service() {
  check_deferred_start();
  {
    std::lock_guard lock(mu_);
    // The peer finished on purpose: nothing left to detect or decide.
    if (peer_finished_) return;
    take_frames_and_ticks();
  }
  make_handler_calls();
  report_channel_close();
}

// Only the owner reports a closed channel, and only after making the calls
// queued before: the entries that arrived with the close may hold the
// log's end marker, which turns the close into the end of the run.
void PairDriver::report_channel_close() {
  std::string reason;
  {
    std::lock_guard lock(mu_);
    if (!channel_.closed() || peer_loss_reported_) return;
    peer_loss_reported_ = true;
    reason = channel_.close_reason();
  }
  if (handler_.peer_finished()) {
    std::lock_guard lock(mu_);
    peer_finished_ = true;
    return;
  }
  step(ft::PeerLostEvent{reason});
}

void PairDriver::start_keeper() {
  if (keeper_.joinable()) return;
  keeper_stop_ = false;
  keeper_ = std::thread([this] { keeper_loop(keeper_stop_); });
}

void PairDriver::stop_keeper() {
  if (!keeper_.joinable()) return;
  keeper_stop_ = true;
  keeper_.join();
}

void PairDriver::keeper_loop(const std::atomic<bool>& stop) {
  while (!stop) {
    epoll_event ev[4];
    ::epoll_wait(epoll_.get(), ev, 4, static_cast<int>(kTickPeriod.count()));
    if (stop) return;
    keeper_service();
  }
}

// What the keeper does each wake-up: the same frames and ticks as
// service(), under the lock, with the handler calls left to the owner. A
// closed channel or a finished peer is the owner's to handle; the keeper
// then only paces itself, so the timer (level-triggered) cannot spin it.
void PairDriver::keeper_service() {
  check_deferred_start();
  bool pace = false;
  {
    std::lock_guard lock(mu_);
    const bool idle = peer_finished_ || channel_.closed();
    // A readable channel left unread would end every epoll wait at once.
    pace = idle || frames_held_;
    if (!idle) take_frames_and_ticks();
    if (channel_.closed() && !peer_loss_reported_) signal_owner();  // the owner reports the close
  }
  if (pace) std::this_thread::sleep_for(kTickPeriod);
}

void PairDriver::defer_start(std::chrono::steady_clock::time_point deadline, std::function<bool()> admit) {
  std::lock_guard lock(mu_);
  defer_start_ = true;
  frames_held_ = true;
  admit_ = std::move(admit);
  first_ack_deadline_ = deadline;
}

// Either thread (the owner in service(), the keeper every tick, so a busy
// owner does not leave the backup's verdict unread -- and the backup, whose
// node already runs, unheard -- past its failure timeout). The admission
// test runs without the node's lock: it reads the clone connection.
void PairDriver::check_deferred_start() {
  std::lock_guard admitting(admit_mu_);  // one caller of admit_ at a time
  std::function<bool()> admit;
  bool overdue = false;
  {
    std::lock_guard lock(mu_);
    if (!defer_start_ || node_.acked() > 0 || node_.state() != ft::NodeState::kPrimary) return;
    overdue = std::chrono::steady_clock::now() >= first_ack_deadline_;
    if (frames_held_) admit = admit_;
  }
  std::optional<std::string> lost;
  if (admit) {
    try {
      if (admit()) {
        std::lock_guard lock(mu_);
        frames_held_ = false;
      }
    } catch (const std::exception& e) {
      lost = e.what();
    }
  }
  if (!lost && overdue) lost = "the new backup did not verify the clone and acknowledge the log in time";
  if (!lost) return;
  // Queued like a frame, so the keeper may do this too: the handler calls
  // it causes are made by the owner.
  std::lock_guard lock(mu_);
  frames_held_ = false;  // a failover reads on: the peer's words no longer count
  queue_.push_back(ft::PeerLostEvent{*lost});
  run_queue();
}

bool PairDriver::await_first_ack(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (node_.acked() > 0 || channel_.closed() || std::chrono::steady_clock::now() >= deadline) break;
    }
    channel_.wait(kTickPeriod);
    {
      std::lock_guard lock(mu_);
      for (auto& frame : channel_.receive()) queue_.push_back(ft::FrameEvent{std::move(frame)});
      run_queue();
      timer_.take_expirations();
    }
    make_handler_calls();
  }
  std::lock_guard lock(mu_);
  return node_.acked() > 0;
}

void PairDriver::wait(std::chrono::milliseconds limit) {
  pollfd p[2] = {{wake_.get(), POLLIN, 0}, {epoll_.get(), POLLIN, 0}};
  // Without a keeper the owner services the channel and timer itself.
  nfds_t n = keeper_.joinable() ? 1 : 2;
  ::poll(p, n, static_cast<int>(limit.count()));
}

NodeSnapshot PairDriver::snapshot() const {
  std::lock_guard lock(mu_);
  NodeSnapshot s;
  s.state = node_.state();
  s.appended = node_.appended();
  s.acked = node_.acked();
  s.backup_executed = node_.backup_executed();
  s.held_outputs = node_.held_outputs();
  s.paused = paused_;
  return s;
}

std::chrono::nanoseconds PairDriver::paused_total() const {
  std::lock_guard lock(mu_);
  return paused_total_ + (paused_ ? std::chrono::steady_clock::now() - paused_since_ : std::chrono::nanoseconds{0});
}

std::string PairDriver::failover_reason() const {
  std::lock_guard lock(mu_);
  return failover_reason_;
}

std::string PairDriver::close_reason() const {
  std::lock_guard lock(mu_);
  return channel_.closed() ? channel_.close_reason() : std::string();
}

void PairDriver::linger(std::chrono::milliseconds limit) {
  stop_keeper();
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!channel_.closed() && std::chrono::steady_clock::now() < deadline) {
    channel_.flush();
    channel_.receive();  // the peer's last words no longer matter
    channel_.wait(kTickPeriod);
  }
  close_channel("done");
}

void PairDriver::close_channel(const std::string& why) {
  std::lock_guard lock(mu_);
  peer_loss_reported_ = true;  // on purpose: not a failure
  channel_.close(why);
}

}  // namespace ftvm::pair
