#pragma once
// A host agent stand-in for the clone hand-over tests, in the test process:
// it speaks the agent protocol (start-backup, stop), but lets the test
// rewrite each start request before the real `ftvm vm --role backup` is
// started from it -- to route the backup's clone and log channel through
// relays -- and records every stop request it gets.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_request.h"
#include "agent/child_process.h"
#include "clone/tcp.h"
#include "pair_process.h"

namespace ftvm::pairtest {

class ScriptedAgent {
 public:
  using Rewrite = std::function<void(agent::StartBackup&)>;

  ScriptedAgent(std::filesystem::path dir, Rewrite rewrite)
      : dir_(std::move(dir)), rewrite_(std::move(rewrite)), listener_("127.0.0.1:0") {
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedAgent() {
    stop_ = true;
    thread_.join();
  }
  ScriptedAgent(const ScriptedAgent&) = delete;
  ScriptedAgent& operator=(const ScriptedAgent&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(listener_.port()); }

  std::vector<std::int64_t> stop_requests() {
    std::lock_guard lock(mu_);
    return stops_;
  }
  // The first backup started (0: none yet), and whether it still runs.
  std::int64_t first_pid() {
    std::lock_guard lock(mu_);
    return children_.empty() ? 0 : children_.front()->pid();
  }
  bool first_running() {
    std::lock_guard lock(mu_);
    return !children_.empty() && children_.front()->poll();
  }
  std::filesystem::path first_log() const { return dir_ / "backup-0.log"; }

 private:
  void run() {
    while (!stop_) {
      disk::UniqueFd fd = listener_.accept(std::chrono::milliseconds(50));
      if (fd.valid()) serve(fd.get());
    }
  }

  static std::string read_line(int fd) {
    std::string text;
    while (text.find('\n') == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return {};
      char buffer[4096];
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) return {};
      text.append(buffer, static_cast<std::size_t>(n));
    }
    return text.substr(0, text.find('\n'));
  }

  void serve(int fd) {
    nlohmann::json reply;
    try {
      agent::AgentRequest request = agent::parse_request(read_line(fd));
      if (auto* start = std::get_if<agent::StartBackup>(&request)) {
        rewrite_(*start);
        std::lock_guard lock(mu_);
        const std::filesystem::path log = dir_ / ("backup-" + std::to_string(children_.size()) + ".log");
        children_.push_back(std::make_unique<agent::ChildProcess>(
            agent::backup_arguments(*start, vm_binary(), start->config_path), log.string()));
        reply = {{"ok", true}, {"pid", children_.back()->pid()}, {"log", log.string()}};
      } else if (auto* stop = std::get_if<agent::StopChild>(&request)) {
        std::lock_guard lock(mu_);
        stops_.push_back(stop->pid);
        for (auto& c : children_)
          if (c->pid() == stop->pid && c->poll()) c->terminate();
        reply = {{"ok", true}, {"pid", stop->pid}};
      } else {
        reply = {{"ok", false}, {"error", "not scripted"}};
      }
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"error", e.what()}};
    }
    const std::string line = reply.dump() + "\n";
    [[maybe_unused]] ssize_t n = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  }

  std::filesystem::path dir_;
  Rewrite rewrite_;
  clone::TcpListener listener_;
  std::mutex mu_;
  std::vector<std::unique_ptr<agent::ChildProcess>> children_;
  std::vector<std::int64_t> stops_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ftvm::pairtest
