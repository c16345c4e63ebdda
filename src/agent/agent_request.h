#pragma once
// The host agent's requests: one JSON object per line, each answered by one
// JSON line. The agent only ever starts `ftvm vm --role backup` with
// arguments it built itself from validated fields, never a command text.
//
//   {"op":"start-backup","name":"web","generation":3,
//    "config":"/abs/vm.toml" | "config_toml":"[machine]\nmem = \"512M\"\n...",
//    "listen":"0.0.0.0:7001" | "peer":"primary:7001",
//    "tas":"tas-host:7000" | "tas_etcd":["e1:2379","e2:2379"],
//    "from_clone":"primary:7002",           (optional: the primary's clone address)
//    "spare":["agent2:7100",...],           (optional: agents the backup re-protects on)
//    "advertise":"backup-host",             (optional: where this backup's own backups reach it)
//    "checkpoint_interval":1000000}         (optional)
//   {"op":"list"}
//   {"op":"stop","pid":1234}
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ftvm::agent {

struct StartBackup {
  std::string name;
  std::uint64_t generation = 0;
  std::string config_path;  // exactly one of config_path and config_toml
  std::string config_toml;
  std::string listen;  // exactly one of listen and peer
  std::string peer;
  std::string tas;                    // exactly one of tas and tas_etcd
  std::vector<std::string> tas_etcd;
  std::string from_clone;             // optional: receive the machine as a live clone from here
  std::vector<std::string> spares;    // optional: agents for its own re-protection
  std::string advertise;              // optional: the host its backups reach it on
  std::optional<std::uint64_t> checkpoint_interval;
};
struct ListChildren {};
struct StopChild {
  std::int64_t pid = 0;
};
using AgentRequest = std::variant<StartBackup, ListChildren, StopChild>;

// Parses and validates one request line. Throws ftvm::Error naming the bad
// field (not JSON, unknown op, a name with odd characters, a relative path,
// an address that is not HOST:PORT, an unknown key ...).
AgentRequest parse_request(const std::string& line);

// The request line (JSON, no newline) parse_request reads back as `request`.
std::string encode_request(const StartBackup& request);
std::string encode_request(const StopChild& request);

// The child's argv (argv[0] = ftvm_path), with `config_file` as --config.
std::vector<std::string> backup_arguments(const StartBackup& request, const std::string& ftvm_path,
                                          const std::string& config_file);

}  // namespace ftvm::agent
