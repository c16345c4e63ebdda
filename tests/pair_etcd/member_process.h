#pragma once
// One `ftvm vm` pair member (or any program) as a real child process for
// the pair-on-etcd tests: stdin on a pipe (console keys), stdout and stderr
// in files the test polls. Killed and reaped when the object goes away, so
// every exit path of a test cleans up. (Adapted from tests/pair's helper,
// which another suite owns.)
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ftvm::pairetcd {

using namespace std::chrono_literals;

inline std::filesystem::path build_dir() {
  const char* b = std::getenv("FTVM_BUILD_DIR");
  return b ? b : "build";
}
// The real `ftvm` binary and the pair tests' bare-metal guest.
inline std::string ftvm_binary() { return (build_dir() / "src/ftvm").string(); }
inline std::string ticker_guest() { return (build_dir() / "tests/pair/ticker.elf").string(); }

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

class MemberProcess {
 public:
  MemberProcess(std::vector<std::string> argv, const std::filesystem::path& dir, const std::string& name)
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
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    stdin_ = in[1];
  }
  ~MemberProcess() {
    if (stdin_ >= 0) ::close(stdin_);
    kill(SIGKILL);
    wait_exit(5s);
  }
  MemberProcess(const MemberProcess&) = delete;
  MemberProcess& operator=(const MemberProcess&) = delete;

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
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
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
  // Polls stdout (or stderr) until it contains `text`.
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

}  // namespace ftvm::pairetcd
