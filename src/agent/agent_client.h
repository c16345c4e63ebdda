#pragma once
// The caller's side of the host agent protocol: one start-backup request on
// its own connection, and the agent's answer.
#include <chrono>
#include <cstdint>
#include <string>

#include "agent/agent_request.h"

namespace ftvm::agent {

struct StartedBackup {
  std::int64_t pid = 0;
  std::string log;  // the child's output on the agent's host
};

// Asks the agent at `agent` (HOST:PORT) to start the backup `request`
// describes; each wait is bounded by `limit`. Throws ftvm::Error with the
// agent's own reason when it refuses, or when it cannot be reached or
// answers something that is not a reply.
StartedBackup request_backup(const std::string& agent, const StartBackup& request, std::chrono::milliseconds limit);

// Asks the agent at `agent` to stop its child `pid` (a backup whose clone
// failed, so it need not wait out its own timeouts). Throws ftvm::Error when
// the agent refuses (say, the child has exited already) or cannot be
// reached.
void stop_backup(const std::string& agent, std::int64_t pid, std::chrono::milliseconds limit);

// Reads one reply line; throws ftvm::Error for a refusal or a bad reply.
StartedBackup parse_start_reply(const std::string& line);

}  // namespace ftvm::agent
