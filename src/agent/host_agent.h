#pragma once
// The host agent's state: the backup VMs it started, and the answer to each
// request line. Transport-free (the server feeds it lines), so tests can
// drive it directly.
//
// Replies are one JSON object: {"ok":true,...} or {"ok":false,"error":"..."}.
//   start-backup -> {"ok":true,"pid":N,"log":"/state/web-3-1.log"}
//   list         -> {"ok":true,"children":[{"pid":N,"name":"web","generation":3,
//                    "state":"running"|"exited 0"|"killed by signal 15","log":...}]}
//   stop         -> {"ok":true,"pid":N}  (SIGTERM; the child is reaped later)
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_request.h"
#include "agent/child_process.h"

namespace ftvm::agent {

class HostAgent {
 public:
  // `ftvm_path`: the one program children run (must be an executable file).
  // `state_dir`: where inline configs and child logs go (created if needed).
  HostAgent(std::string ftvm_path, std::filesystem::path state_dir);

  // Answers one request line; never throws for bad input.
  std::string handle_line(const std::string& line);
  // Reaps children that exited (the server calls this between requests).
  void reap();
  std::size_t running_children();

 private:
  struct Child {
    std::string name;
    std::uint64_t generation = 0;
    std::filesystem::path log;
    std::unique_ptr<ChildProcess> process;
  };

  std::string start(const StartBackup& request);
  std::string list();
  std::string stop(std::int64_t pid);

  std::string ftvm_path_;
  std::filesystem::path state_dir_;
  std::uint64_t started_ = 0;  // numbers file names, so none is reused
  std::vector<Child> children_;
};

}  // namespace ftvm::agent
