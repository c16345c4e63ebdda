#include "net/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "disk/event_fd.h"
#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::net {

using disk::UniqueFd;

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

std::string Endpoint::to_string() const { return host + ":" + std::to_string(port); }

Endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw Error("bad address '" + text + "': expected host:port, e.g. 127.0.0.1:7000");
  Endpoint endpoint;
  endpoint.host = text.substr(0, colon);
  if (endpoint.host == "localhost") endpoint.host = "127.0.0.1";
  in_addr probe{};
  if (::inet_pton(AF_INET, endpoint.host.c_str(), &probe) != 1)
    throw Error("bad address '" + text + "': host must be an IPv4 address or localhost");
  std::string digits = text.substr(colon + 1);
  if (digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw Error("bad address '" + text + "': port must be a number 0..65535");
  unsigned long port = std::stoul(digits);
  if (port > 65535) throw Error("bad address '" + text + "': port must be a number 0..65535");
  endpoint.port = static_cast<std::uint16_t>(port);
  return endpoint;
}

std::string format_status(const FaultProxyStatus& s) {
  return "ok cut=" + std::to_string(s.cut ? 1 : 0) + " frozen=" + std::to_string(s.frozen ? 1 : 0) +
         " open=" + std::to_string(s.open_connections) + " accepted=" + std::to_string(s.accepted) +
         " refused=" + std::to_string(s.refused) + " dropped=" + std::to_string(s.dropped) +
         " bytes_to_target=" + std::to_string(s.bytes_to_target) +
         " bytes_to_client=" + std::to_string(s.bytes_to_client);
}

namespace {

// ---------------------------------------------------------------------------
// Socket helpers
// ---------------------------------------------------------------------------

constexpr std::size_t kRelayBufferLimit = 256 * 1024;  // per direction: then TCP pushes back
constexpr std::size_t kControlLineLimit = 1024;
constexpr std::size_t kControlClientLimit = 16;
constexpr int kAcceptsPerWakeup = 64;  // so one busy listener cannot starve the rest
constexpr int kPollTimeoutMs = 1000;   // a safety net: every wake-up also has an fd event

sockaddr_in socket_address(const Endpoint& endpoint) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(endpoint.port);
  if (::inet_pton(AF_INET, endpoint.host.c_str(), &addr.sin_addr) != 1)
    throw Error("bad address '" + endpoint.to_string() + "': host must be an IPv4 address");
  return addr;
}

void set_nodelay(int fd) {
  // The FT logging channel sends small records that must not wait for Nagle.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

UniqueFd tcp_socket() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) throw Error(std::string("socket: ") + std::strerror(errno));
  return fd;
}

UniqueFd listen_tcp(const Endpoint& endpoint, const char* role) {
  sockaddr_in addr = socket_address(endpoint);
  UniqueFd fd = tcp_socket();
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw Error(std::string("cannot bind the proxy's ") + role + " address " + endpoint.to_string() + ": " +
                std::strerror(errno));
  if (::listen(fd.get(), 128) != 0)
    throw Error(std::string("cannot listen on ") + endpoint.to_string() + ": " + std::strerror(errno));
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// Closes with an RST instead of a FIN, so the peer sees the connection fail
// (ECONNRESET) rather than end normally, and no TIME_WAIT is left behind.
void reset_and_close(UniqueFd& fd) {
  if (!fd.valid()) return;
  linger abort_on_close{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  fd.reset();
}

std::string trim(const std::string& text) {
  const char* space = " \t\r\n";
  auto first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

// ---------------------------------------------------------------------------
// One forwarded connection
// ---------------------------------------------------------------------------

// Bytes read from one socket and not yet written to the other.
struct Direction {
  std::string pending;
  bool eof = false;   // the sender finished (FIN read)
  bool shut = false;  // the FIN was passed on
  std::uint64_t* delivered = nullptr;  // the proxy-wide byte counter to bump
};

enum class IoResult { progress, eof, failed };

// Reads what fits under the limit. After a hang-up no more data can arrive,
// so the rest of the receive buffer is read regardless of the limit (a
// bounded amount) to reach the FIN instead of polling the hang-up forever.
IoResult read_into(int fd, Direction& dir, bool hung_up) {
  char chunk[16384];
  while (hung_up || dir.pending.size() < kRelayBufferLimit) {
    std::size_t room = hung_up ? sizeof chunk : std::min(sizeof chunk, kRelayBufferLimit - dir.pending.size());
    ssize_t n = ::recv(fd, chunk, room, 0);
    if (n > 0) {
      dir.pending.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      dir.eof = true;
      return IoResult::eof;
    }
    return would_block(errno) ? IoResult::progress : IoResult::failed;
  }
  return IoResult::progress;
}

IoResult write_from(int fd, Direction& dir) {
  while (!dir.pending.empty()) {
    ssize_t n = ::send(fd, dir.pending.data(), dir.pending.size(), MSG_NOSIGNAL);
    if (n < 0) return would_block(errno) ? IoResult::progress : IoResult::failed;
    dir.pending.erase(0, static_cast<std::size_t>(n));
    *dir.delivered += static_cast<std::uint64_t>(n);
  }
  // Everything the sender wrote before its FIN is through: pass the FIN on.
  if (dir.eof && !dir.shut) {
    ::shutdown(fd, SHUT_WR);
    dir.shut = true;
  }
  return IoResult::progress;
}

class Relay {
 public:
  Relay(UniqueFd client, UniqueFd target, bool connected, std::uint64_t* to_target, std::uint64_t* to_client)
      : client_(std::move(client)), target_(std::move(target)), connected_(connected) {
    up_.delivered = to_target;
    down_.delivered = to_client;
  }

  int client_fd() const { return client_.get(); }
  int target_fd() const { return target_.get(); }
  bool finished() const { return failed_ || (up_.shut && down_.shut); }
  bool failed() const { return failed_; }

  short client_events() const {
    short events = 0;
    if (!up_.eof && up_.pending.size() < kRelayBufferLimit) events |= POLLIN;
    if (!down_.pending.empty()) events |= POLLOUT;
    return events;
  }
  short target_events() const {
    if (!connected_) return POLLOUT;
    short events = 0;
    if (!down_.eof && down_.pending.size() < kRelayBufferLimit) events |= POLLIN;
    if (!up_.pending.empty() || (up_.eof && !up_.shut)) events |= POLLOUT;
    return events;
  }
  // A socket that hung up and has nothing to do would make poll() return at
  // once forever; it is left out until the other side gives it work.
  bool poll_client() const { return client_events() != 0 || !client_hup_; }
  bool poll_target() const { return target_events() != 0 || !target_hup_; }

  void on_client(short revents) {
    if (revents & POLLERR) return fail();
    bool hup = (revents & POLLHUP) != 0;
    client_hup_ = client_hup_ || hup;
    if ((revents & (POLLIN | POLLHUP)) && !up_.eof && read_into(client_.get(), up_, hup) == IoResult::failed)
      return fail();
    if (revents & POLLOUT) step(client_.get(), down_);
    if (connected_) step(target_.get(), up_);  // forward what just arrived without another poll round
  }

  void on_target(short revents) {
    if (!connected_) return finish_connect(revents);
    if (revents & POLLERR) return fail();
    bool hup = (revents & POLLHUP) != 0;
    target_hup_ = target_hup_ || hup;
    if ((revents & (POLLIN | POLLHUP)) && !down_.eof && read_into(target_.get(), down_, hup) == IoResult::failed)
      return fail();
    if (revents & POLLOUT) step(target_.get(), up_);
    step(client_.get(), down_);
  }

  // A failed side resets the other: the proxy passes failures on rather
  // than turning them into clean ends of stream.
  void reset_both() {
    reset_and_close(client_);
    reset_and_close(target_);
  }

 private:
  void finish_connect(short revents) {
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(target_.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0 || (revents & (POLLERR | POLLHUP))) {
      spdlog::debug("fault proxy: target refused a connection: {}", std::strerror(error));
      return fail();
    }
    connected_ = true;
    step(target_.get(), up_);
  }

  void step(int fd, Direction& dir) {
    if (!failed_ && write_from(fd, dir) == IoResult::failed) fail();
  }

  void fail() { failed_ = true; }

  UniqueFd client_;
  UniqueFd target_;
  bool connected_;
  bool failed_ = false;
  bool client_hup_ = false;
  bool target_hup_ = false;
  Direction up_;    // client -> target
  Direction down_;  // target -> client
};

// ---------------------------------------------------------------------------
// One control connection: lines in, answer lines out
// ---------------------------------------------------------------------------

class ControlClient {
 public:
  explicit ControlClient(UniqueFd fd) : fd_(std::move(fd)) {}

  int fd() const { return fd_.get(); }
  bool finished() const { return closed_ || (closing_ && out_.empty()); }
  short events() const { return static_cast<short>((closing_ ? 0 : POLLIN) | (out_.empty() ? 0 : POLLOUT)); }

  // Reads what arrived and answers each complete line with `run(line)`.
  template <typename Run>
  void on_ready(short revents, Run&& run) {
    if (revents & POLLERR) return close();
    if ((revents & (POLLIN | POLLHUP)) && !closing_) read_lines(run);
    flush();
  }

 private:
  template <typename Run>
  void read_lines(Run& run) {
    char chunk[1024];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0) {
      if (!would_block(errno)) close();
      return;
    }
    if (n == 0) {
      // Answer what was asked (a last line may lack its newline), then close.
      if (!trim(in_).empty()) out_ += run(in_) + "\n";
      in_.clear();
      closing_ = true;
      return;
    }
    in_.append(chunk, static_cast<std::size_t>(n));
    for (auto newline = in_.find('\n'); newline != std::string::npos; newline = in_.find('\n')) {
      out_ += run(in_.substr(0, newline)) + "\n";
      in_.erase(0, newline + 1);
    }
    if (in_.size() > kControlLineLimit) {
      out_ += "error command line longer than " + std::to_string(kControlLineLimit) + " bytes\n";
      closing_ = true;
    }
  }

  void flush() {
    while (!out_.empty() && !closed_) {
      ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (!would_block(errno)) close();
        return;
      }
      out_.erase(0, static_cast<std::size_t>(n));
    }
  }

  void close() {
    closed_ = true;
    out_.clear();
  }

  UniqueFd fd_;
  std::string in_;
  std::string out_;
  bool closing_ = false;
  bool closed_ = false;
};


}  // namespace

// ---------------------------------------------------------------------------
// The proxy's thread: one poll() loop owns every socket and all state.
// Other threads talk to it only through submit().
// ---------------------------------------------------------------------------

class FaultProxy::Loop {
 public:
  explicit Loop(const FaultProxyConfig& config)
      : target_(socket_address(config.target)),
        listener_(listen_tcp(config.listen, "listen")),
        control_(listen_tcp(config.control, "control")),
        listen_port_(bound_port(listener_.get())),
        control_port_(bound_port(control_.get())) {
    thread_ = std::thread([this] { run(); });
  }

  ~Loop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.signal();
    thread_.join();
  }

  std::uint16_t listen_port() const { return listen_port_; }
  std::uint16_t control_port() const { return control_port_; }

  struct Answer {
    std::string line;
    FaultProxyStatus status;
  };

  // Hands `line` to the loop thread and waits (bounded) until it has acted.
  Answer submit(const std::string& line) {
    auto request = std::make_shared<Request>();
    request->line = line;
    std::unique_lock lock(mutex_);
    if (stopping_) return {"error proxy is stopping", {}};
    requests_.push_back(request);
    wake_.signal();
    if (!answered_.wait_for(lock, std::chrono::seconds(5), [&] { return request->done; }))
      throw Error("fault proxy did not answer '" + line + "' within 5 s");
    return request->answer;
  }

 private:
  struct Request {
    std::string line;
    Answer answer;
    bool done = false;
  };

  // What each pollfd entry stands for.
  enum class Source { wake, control_listener, control_client, listener, relay_client, relay_target };
  struct Slot {
    Source source;
    std::size_t index = 0;
    std::uint64_t epoch = 0;  // relays_ as of building the poll set
  };

  void run() {
    std::vector<pollfd> fds;
    std::vector<Slot> slots;
    while (!stop_requested()) {
      build_poll_set(fds, slots);
      int ready = ::poll(fds.data(), fds.size(), kPollTimeoutMs);
      if (ready < 0 && errno != EINTR) {
        spdlog::error("fault proxy: poll failed: {}", std::strerror(errno));
        break;
      }
      for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i)
        if (fds[i].revents != 0) dispatch(slots[i], fds[i].revents);
      serve_requests();
      std::size_t before = relays_.size();
      reap();
      // Out of descriptors: retry once some were freed, or a second passed.
      if (ready == 0 || relays_.size() < before) accept_paused_ = false;
    }
    shut_down();
  }

  bool stop_requested() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  void build_poll_set(std::vector<pollfd>& fds, std::vector<Slot>& slots) {
    fds.clear();
    slots.clear();
    auto add = [&](int fd, short events, Source source, std::size_t index = 0) {
      fds.push_back({fd, events, 0});
      slots.push_back({source, index, relay_epoch_});
    };
    add(wake_.fd(), POLLIN, Source::wake);
    add(control_.get(), POLLIN, Source::control_listener);
    for (std::size_t i = 0; i < controls_.size(); ++i)
      add(controls_[i].fd(), controls_[i].events(), Source::control_client, i);
    // Frozen: arrivals wait in the backlog. Cut: they are reset at once.
    if ((cut_ || !frozen_) && !accept_paused_) add(listener_.get(), POLLIN, Source::listener);
    if (frozen_) return;  // nothing moves, nothing is even noticed, until thaw
    for (std::size_t i = 0; i < relays_.size(); ++i) {
      const Relay& relay = relays_[i];
      if (relay.poll_client()) add(relay.client_fd(), relay.client_events(), Source::relay_client, i);
      if (relay.poll_target()) add(relay.target_fd(), relay.target_events(), Source::relay_target, i);
    }
  }

  void dispatch(const Slot& slot, short revents) {
    switch (slot.source) {
      case Source::wake:
        wake_.clear();
        break;
      case Source::control_listener:
        accept_control();
        break;
      case Source::control_client:
        controls_[slot.index].on_ready(revents, [this](const std::string& line) { return execute(line).line; });
        break;
      case Source::listener:
        accept_connections();
        break;
      case Source::relay_client:
        if (Relay* relay = live_relay(slot)) relay->on_client(revents);
        break;
      case Source::relay_target:
        if (Relay* relay = live_relay(slot)) relay->on_target(revents);
        break;
    }
  }

  // The relay a poll entry was built for, unless a command in this same
  // round froze the proxy or replaced the relays (cut, then a new arrival
  // could reuse the index).
  Relay* live_relay(const Slot& slot) {
    if (frozen_ || slot.epoch != relay_epoch_ || slot.index >= relays_.size()) return nullptr;
    Relay& relay = relays_[slot.index];
    return relay.finished() ? nullptr : &relay;
  }

  // Requests from other threads, answered in arrival order.
  void serve_requests() {
    std::deque<std::shared_ptr<Request>> batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(requests_);
    }
    if (batch.empty()) return;
    for (auto& request : batch) {
      Answer answer = execute(request->line);
      std::lock_guard lock(mutex_);
      request->answer = std::move(answer);
      request->done = true;
    }
    answered_.notify_all();
  }

  Answer execute(const std::string& raw) {
    std::string line = trim(raw);
    Answer answer;
    if (line == "cut") {
      cut();
      answer.line = "ok cut";
    } else if (line == "heal") {
      cut_ = false;
      answer.line = "ok healed";
    } else if (line == "freeze") {
      frozen_ = true;
      answer.line = "ok frozen";
    } else if (line == "thaw") {
      frozen_ = false;
      answer.line = "ok thawed";
    } else if (line == "status") {
      answer.line = format_status(status());
    } else if (line.empty()) {
      answer.line = "error empty command (cut, heal, freeze, thaw, status)";
    } else {
      answer.line = "error unknown command '" + line.substr(0, 64) + "' (cut, heal, freeze, thaw, status)";
    }
    answer.status = status();
    spdlog::debug("fault proxy: '{}' -> {}", line, answer.line);
    return answer;
  }

  void cut() {
    cut_ = true;
    for (Relay& relay : relays_) {
      if (!relay.finished()) ++counters_.dropped;
      relay.reset_both();
    }
    relays_.clear();
    ++relay_epoch_;
  }

  FaultProxyStatus status() const {
    FaultProxyStatus s = counters_;
    s.cut = cut_;
    s.frozen = frozen_;
    s.open_connections = relays_.size();
    return s;
  }

  void accept_connections() {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
      UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!client.valid()) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          spdlog::warn("fault proxy: cannot accept: {}", std::strerror(errno));
          accept_paused_ = true;  // or poll() would report the listener forever
        }
        return;
      }
      if (cut_) {
        ++counters_.refused;
        reset_and_close(client);
        continue;
      }
      start_relay(std::move(client));
    }
  }

  void start_relay(UniqueFd client) {
    UniqueFd target;
    try {
      target = tcp_socket();
    } catch (const Error& e) {
      spdlog::warn("fault proxy: {}", e.what());
      reset_and_close(client);
      return;
    }
    set_nodelay(client.get());
    set_nodelay(target.get());
    int rc = ::connect(target.get(), reinterpret_cast<const sockaddr*>(&target_), sizeof target_);
    if (rc != 0 && errno != EINPROGRESS) {
      spdlog::debug("fault proxy: cannot reach the target: {}", std::strerror(errno));
      reset_and_close(client);
      return;
    }
    ++counters_.accepted;
    relays_.emplace_back(std::move(client), std::move(target), rc == 0, &counters_.bytes_to_target,
                         &counters_.bytes_to_client);
  }

  void accept_control() {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
      UniqueFd fd(::accept4(control_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) return;
      if (controls_.size() >= kControlClientLimit) {
        static constexpr char kBusy[] = "error too many control connections\n";
        [[maybe_unused]] ssize_t n = ::send(fd.get(), kBusy, sizeof kBusy - 1, MSG_NOSIGNAL);
        continue;  // closed at once
      }
      controls_.emplace_back(std::move(fd));
    }
  }

  // Finished relays: a clean end closes normally, a failure resets both.
  void reap() {
    for (Relay& relay : relays_)
      if (relay.failed()) relay.reset_both();
    std::erase_if(relays_, [](const Relay& relay) { return relay.finished(); });
    std::erase_if(controls_, [](const ControlClient& control) { return control.finished(); });
  }

  void shut_down() {
    for (Relay& relay : relays_) relay.reset_both();
    relays_.clear();
    controls_.clear();
    std::lock_guard lock(mutex_);
    stopping_ = true;  // also after a poll failure: later submits fail at once
    for (auto& request : requests_) {
      request->answer.line = "error proxy is stopping";
      request->done = true;
    }
    requests_.clear();
    answered_.notify_all();
  }

  const sockaddr_in target_;
  UniqueFd listener_;
  UniqueFd control_;
  const std::uint16_t listen_port_;
  const std::uint16_t control_port_;
  disk::EventFd wake_;

  // Owned by the loop thread.
  std::vector<Relay> relays_;
  std::vector<ControlClient> controls_;
  FaultProxyStatus counters_;
  bool cut_ = false;
  bool frozen_ = false;
  bool accept_paused_ = false;
  std::uint64_t relay_epoch_ = 0;

  // Shared with submitting threads.
  std::mutex mutex_;
  std::condition_variable answered_;
  std::deque<std::shared_ptr<Request>> requests_;
  bool stopping_ = false;

  std::thread thread_;  // last: starts after every member above exists
};

// ---------------------------------------------------------------------------
// Public face
// ---------------------------------------------------------------------------

FaultProxy::FaultProxy(const FaultProxyConfig& config) : loop_(std::make_unique<Loop>(config)) {}
FaultProxy::~FaultProxy() = default;

std::uint16_t FaultProxy::listen_port() const { return loop_->listen_port(); }
std::uint16_t FaultProxy::control_port() const { return loop_->control_port(); }

namespace {
void expect_ok(const std::string& answer, const char* command) {
  if (answer.rfind("ok", 0) != 0) throw Error(std::string("fault proxy '") + command + "': " + answer);
}
}  // namespace

void FaultProxy::cut() { expect_ok(loop_->submit("cut").line, "cut"); }
void FaultProxy::heal() { expect_ok(loop_->submit("heal").line, "heal"); }
void FaultProxy::freeze() { expect_ok(loop_->submit("freeze").line, "freeze"); }
void FaultProxy::thaw() { expect_ok(loop_->submit("thaw").line, "thaw"); }
FaultProxyStatus FaultProxy::status() { return loop_->submit("status").status; }
std::string FaultProxy::command(const std::string& line) { return loop_->submit(line).line; }

}  // namespace ftvm::net
