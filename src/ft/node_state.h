#pragma once
// The states of an FtNode.
//
//   kPrimary --peer silent/lost--> kPrimaryFailover --TAS won--> kLive
//   kBackup  --peer silent/lost--> kBackupFailover  --TAS won--> kPromoting
//   kPromoting --executed everything received--> kLive
//   any failover state --TAS lost--> kHalted
#include <cstdint>
#include <string_view>

namespace ftvm::ft {

enum class NodeState : std::uint8_t {
  kPrimary,          // runs the guest, ships the log, releases acked outputs
  kBackup,           // receives and replays the log, acks it
  kPrimaryFailover,  // backup gone: holds outputs, asks TAS
  kBackupFailover,   // primary gone: stops acking, waits out the lease, asks TAS
  kPromoting,        // won TAS as backup: executing the rest of what it received
  kLive,             // the only copy: runs alone, releases outputs at once
  kHalted,           // lost TAS (or told to stop): does nothing more
};

std::string_view to_string(NodeState s);

}  // namespace ftvm::ft
