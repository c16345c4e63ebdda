#pragma once
// Real processes for the pair tests: an `ftvm vm` member with its stdin on
// a pipe (console keys) and stdout/stderr in files the test polls, and an
// in-process test-and-set server that can be stopped and restarted on the
// same port. Everything is killed and reaped at scope exit.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tas/decision_store.h"
#include "tas/server.h"

namespace ftvm::pairtest {

using namespace std::chrono_literals;

inline std::filesystem::path build_dir() {
  const char* b = std::getenv("FTVM_BUILD_DIR");
  return b ? b : "build";
}
// The real `ftvm` binary: the pair tests run the command line users run.
inline std::string vm_binary() { return (build_dir() / "src/ftvm").string(); }
inline std::string ticker_guest() { return (build_dir() / "tests/pair/ticker.elf").string(); }

// A fresh directory under /tmp named PREFIX-XXXXXX (the test removes it).
inline std::filesystem::path scratch_dir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

// DIR/vm.toml: the ticker guest in 64 MiB, as `ftvm vm --config` reads it.
inline std::filesystem::path write_ticker_config(const std::filesystem::path& dir) {
  std::filesystem::path config = dir / "vm.toml";
  std::ofstream(config) << "[machine]\nmem = \"64M\"\nfirmware = \"" << ticker_guest() << "\"\n";
  return config;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Process {
 public:
  Process(std::vector<std::string> argv, const std::filesystem::path& dir, const std::string& name)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      // Only 0-2: a child that starts children of its own (a host agent)
      // must not hand them these files.
      ::close(o);
      ::close(e);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    stdin_ = in[1];
  }
  ~Process() {
    if (stdin_ >= 0) ::close(stdin_);
    kill(SIGKILL);
    wait_exit(5s);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Returns false when the process no longer reads its stdin.
  bool type(const std::string& keys) {
    return stdin_ >= 0 && ::write(stdin_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
  }
  void kill(int sig) {
    if (!status_) ::kill(pid_, sig);
  }
  // The exit code (128+N after signal N), or nullopt if still running.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!status_) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(10ms);
    }
    return status_;
  }
  std::string out() const { return read_text(out_); }
  std::string err() const { return read_text(err_); }
  // Waits until stdout (or stderr) contains `text`.
  bool wait_for(const std::string& text, std::chrono::milliseconds limit, bool in_stderr = false) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if ((in_stderr ? err() : out()).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::optional<int> status_;
};

class TasService {
 public:
  explicit TasService(const std::filesystem::path& journal) : journal_(journal) { start(0); }
  ~TasService() { stop(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
    store_.reset();
  }
  void restart() { start(port_); }

 private:
  void start(std::uint16_t port) {
    store_ = std::make_unique<tas::DecisionStore>(journal_.string());
    server_ = std::make_unique<tas::Server>(*store_, "127.0.0.1", port);
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
  }
  std::filesystem::path journal_;
  std::unique_ptr<tas::DecisionStore> store_;
  std::unique_ptr<tas::Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

}  // namespace ftvm::pairtest
