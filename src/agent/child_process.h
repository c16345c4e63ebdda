#pragma once
// A child process started from an argv (no shell), its output going to a
// log file, stdin from /dev/null. The signal mask and dispositions a parent
// run loop set up (blocked SIGTERM for a signalfd, say) are reset in the
// child, so it can be stopped normally.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ftvm::agent {

class ChildProcess {
 public:
  // Throws ftvm::Error when the program cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  // A child still running is terminated (SIGTERM, then SIGKILL after a grace
  // period) and reaped: no child outlives its owner as a zombie.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps the child if it has exited (never blocks). True while it runs.
  bool poll();
  bool running() const { return !status_; }
  // Raw wait status once reaped.
  std::optional<int> wait_status() const { return status_; }
  // "running", "exited 0", "killed by signal 15".
  std::string describe() const;
  // Sends SIGTERM (only to a child not yet reaped, so the pid is still ours).
  void terminate();
  // Waits up to `ms` for the child to exit; true when it has.
  bool wait_for(int ms);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace ftvm::agent
