#include "ft/node_state.h"

namespace ftvm::ft {

std::string_view to_string(NodeState s) {
  switch (s) {
    case NodeState::kPrimary: return "primary";
    case NodeState::kBackup: return "backup";
    case NodeState::kPrimaryFailover: return "primary-failover";
    case NodeState::kBackupFailover: return "backup-failover";
    case NodeState::kPromoting: return "promoting";
    case NodeState::kLive: return "live";
    case NodeState::kHalted: return "halted";
  }
  return "unknown state";
}

}  // namespace ftvm::ft
