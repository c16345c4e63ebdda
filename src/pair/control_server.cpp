#include "pair/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "clone/tcp.h"
#include "machine/core/error.h"

namespace ftvm::pair {

namespace {

// A client gets this long to send its one line, and at most this much of
// it: the serving thread handles one client at a time.
constexpr int kRequestLimitMs = 2000;
constexpr std::size_t kMaxRequestBytes = 4096;

sockaddr_un socket_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(a.sun_path))
    throw Error("control socket path must be 1.." + std::to_string(sizeof(a.sun_path) - 1) + " bytes: " + path);
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

// True when some process answers on the socket at `path`.
bool socket_in_use(const sockaddr_un& a) {
  disk::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return probe.valid() && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0;
}

void send_line(int fd, const nlohmann::json& j) {
  std::string line = j.dump() + "\n";
  // A client that went away loses its answer; the VM does not care.
  (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
}

nlohmann::json refusal(const std::string& why) { return {{"accepted", false}, {"error", why}}; }

// One line from the client, bounded in time and size; nullopt with `why`.
std::optional<std::string> read_request(int fd, std::string& why) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRequestLimitMs);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      why = "no complete request line in time";
      return std::nullopt;
    }
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      why = "the request ended before its newline";
      return std::nullopt;
    }
    got.append(buf, static_cast<std::size_t>(n));
    if (auto nl = got.find('\n'); nl != std::string::npos) return got.substr(0, nl);
    if (got.size() > kMaxRequestBytes) {
      why = "request line too long";
      return std::nullopt;
    }
  }
}

// The agent a well-formed protect request names, or nullopt with `why`.
std::optional<std::string> parse_protect(const std::string& line, std::string& why) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  const std::string expected = "expected one JSON line {\"protect\": \"HOST:PORT\"}";
  if (j.is_discarded() || !j.is_object()) {
    why = "not a JSON object; " + expected;
    return std::nullopt;
  }
  if (j.size() != 1 || !j.contains("protect") || !j["protect"].is_string()) {
    why = "unknown request; " + expected;
    return std::nullopt;
  }
  std::string agent = j["protect"].get<std::string>();
  try {
    auto [host, port] = clone::split_host_port(agent);
    if (host.empty()) throw Error("no host");
  } catch (const std::exception& e) {
    why = "bad agent address '" + agent + "': " + e.what();
    return std::nullopt;
  }
  return agent;
}

}  // namespace

ControlServer::ControlServer(std::string path) : path_(std::move(path)) {
  const sockaddr_un a = socket_address(path_);
  std::error_code ec;
  if (std::filesystem::is_socket(path_, ec)) {
    if (socket_in_use(a)) throw Error("control socket " + path_ + " is in use by another process");
    std::filesystem::remove(path_, ec);
  }
  listener_ = disk::UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener_.valid()) throw Error("socket(AF_UNIX) failed");
  if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0 ||
      ::listen(listener_.get(), 4) != 0)
    throw Error("cannot listen on control socket " + path_ + ": " + std::strerror(errno));
  wake_ = disk::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  stop_ = disk::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_.valid() || !stop_.valid()) {
    ::unlink(path_.c_str());
    throw Error("eventfd failed");
  }
  thread_ = std::thread([this] { serve(); });
}

ControlServer::~ControlServer() {
  std::uint64_t one = 1;
  (void)::write(stop_.get(), &one, sizeof(one));
  thread_.join();
  std::lock_guard lock(mu_);
  if (waiting_) send_line(waiting_->client.get(), refusal("the VM stopped"));
  if (active_) send_line(active_->client.get(), {{"protected", false}, {"error", "the VM stopped"}});
  ::unlink(path_.c_str());
}

void ControlServer::serve() {
  for (;;) {
    pollfd p[2] = {{listener_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    disk::UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (client.valid()) handle(std::move(client));
  }
}

void ControlServer::handle(disk::UniqueFd client) {
  std::string why;
  std::optional<std::string> line = read_request(client.get(), why);
  std::optional<std::string> agent = line ? parse_protect(*line, why) : std::nullopt;
  if (!agent) {
    send_line(client.get(), refusal(why));
    return;
  }
  std::lock_guard lock(mu_);
  if (phase_ == ProtectionPhase::kPaired) {
    send_line(client.get(), refusal("already protected: this VM is paired with a backup"));
    return;
  }
  if (phase_ == ProtectionPhase::kProtecting || waiting_ || active_) {
    send_line(client.get(), refusal("already protecting: a clone to a new backup is under way"));
    return;
  }
  send_line(client.get(), {{"accepted", true}, {"agent", *agent}});
  waiting_ = Request{*agent, std::move(client)};
  std::uint64_t one = 1;
  (void)::write(wake_.get(), &one, sizeof(one));
}

void ControlServer::collect(std::vector<machine::Input>&) {
  std::uint64_t count = 0;
  (void)::read(wake_.get(), &count, sizeof(count));  // only clears the wake-up
}

bool ControlServer::stop_requested() const {
  std::lock_guard lock(mu_);
  return waiting_.has_value() && phase_ == ProtectionPhase::kAlone;
}

std::optional<std::string> ControlServer::take_request() {
  std::lock_guard lock(mu_);
  if (!waiting_ || phase_ == ProtectionPhase::kPaired) return std::nullopt;
  active_ = std::move(waiting_);
  waiting_.reset();
  phase_ = ProtectionPhase::kProtecting;
  return active_->agent;
}

void ControlServer::set_phase(ProtectionPhase phase) {
  std::lock_guard lock(mu_);
  phase_ = phase;
  if (phase == ProtectionPhase::kPaired && waiting_) {
    send_line(waiting_->client.get(), refusal("already protected: this VM paired with a backup meanwhile"));
    waiting_.reset();
  }
}

void ControlServer::report_protected(std::uint64_t generation, double stopped_ms) {
  finish_active(nlohmann::json{{"protected", true}, {"generation", generation}, {"stopped_ms", stopped_ms}}.dump());
}

void ControlServer::report_failed(const std::string& why) {
  finish_active(nlohmann::json{{"protected", false}, {"error", why}}.dump());
}

void ControlServer::finish_active(const std::string& line) {
  std::lock_guard lock(mu_);
  if (!active_) return;
  std::string out = line + "\n";
  (void)::send(active_->client.get(), out.data(), out.size(), MSG_NOSIGNAL);
  active_.reset();
}

}  // namespace ftvm::pair
