#pragma once
// What an FtNode asks its driver to do. The driver reads it after step(),
// carries out every part, then calls advance(). Parts are listed in the order
// the driver should perform them: deliver entries before messages (so an Ack
// never gets ahead of the entries it covers being handed to the replayer),
// messages, then outputs.
#include <optional>
#include <string>
#include <vector>

#include "ft/log_entry.h"
#include "ft/message.h"

namespace ftvm::ft {

struct TasRequest {
  std::string key;       // tas_key(pair)
  std::string claimant;  // "primary" or "backup": the same on every retry
};

struct Ready {
  // Backup: entries newly received, in sequence order, for the replayer.
  std::vector<LogEntry> deliver;
  // Messages for the peer, in order.
  std::vector<Message> send;
  // Outputs that may leave the host now, in production order.
  std::vector<OutputId> release;
  // Outputs that must never leave (a backup's, or a halted node's).
  std::vector<OutputId> drop;
  // Ask the test-and-set service; answer with a TasAnswerEvent.
  std::optional<TasRequest> tas_request;
  // A failover began (the peer is considered gone), with why.
  std::optional<std::string> failover;
  // This node is now the only live copy of the VM: stop shipping the log, run
  // the machine live (a backup switches from replay to live execution).
  bool go_live = false;
  // Stop the machine and exit; the text says why.
  std::optional<std::string> halt;
  // Set when the level changes. pause: the unacked log is full, the machine
  // must not run. throttle: the backup lags too far behind in execution, the
  // machine should slow down.
  std::optional<bool> pause;
  std::optional<bool> throttle;
  // Inputs the node rejected (bad message, event that makes no sense in this
  // state), one line each. The node's state is unchanged by them.
  std::vector<std::string> errors;

  bool empty() const {
    return deliver.empty() && send.empty() && release.empty() && drop.empty() && !tas_request && !failover &&
           !go_live && !halt && !pause && !throttle && errors.empty();
  }
};

}  // namespace ftvm::ft
