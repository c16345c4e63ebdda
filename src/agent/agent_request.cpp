#include "agent/agent_request.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>

#include "clone/tcp.h"
#include "host/vm_config.h"
#include "machine/core/error.h"

namespace ftvm::agent {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMaxPathBytes = 4096;
constexpr std::size_t kMaxTomlBytes = 64 * 1024;

void only_keys(const json& j, const std::set<std::string>& allowed) {
  for (const auto& [key, value] : j.items())
    if (!allowed.count(key)) throw Error("unknown field '" + key + "'");
}

std::string text_field(const json& j, const char* key, bool required) {
  if (!j.contains(key)) {
    if (required) throw Error(std::string("missing field '") + key + "'");
    return {};
  }
  if (!j[key].is_string()) throw Error(std::string("field '") + key + "' must be a string");
  return j[key].get<std::string>();
}

// Names become a TAS key and part of a file name: letters, digits and
// . _ -, not starting with '-' or '.', so they can never read as an option or
// a path.
std::string checked_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= kMaxNameBytes && name[0] != '-' && name[0] != '.';
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!ok) throw Error("name '" + name + "': use 1-64 letters, digits, '.', '_' or '-', not starting with '-' or '.'");
  return name;
}

std::string checked_address(const std::string& what, const std::string& address) {
  if (address.empty() || address[0] == '-' || address.size() > 256)
    throw Error(what + " '" + address + "': expected HOST:PORT");
  clone::split_host_port(address);  // throws with the reason
  return address;
}

std::string checked_path(const std::string& path) {
  if (path.empty() || path[0] != '/' || path.size() > kMaxPathBytes || path.find('\0') != std::string::npos)
    throw Error("config '" + path + "': must be an absolute path");
  return path;
}

// An optional list of 1-16 HOST:PORT strings.
std::vector<std::string> address_list(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  const std::string what = std::string("field '") + key + "'";
  if (!j[key].is_array() || j[key].empty() || j[key].size() > 16)
    throw Error(what + " must be a list of 1-16 HOST:PORT strings");
  for (const json& member : j[key]) {
    if (!member.is_string()) throw Error(what + " must be a list of HOST:PORT strings");
    out.push_back(checked_address(std::string(key) + " member", member.get<std::string>()));
  }
  return out;
}

StartBackup parse_start(const json& j) {
  only_keys(j, {"op", "name", "generation", "config", "config_toml", "listen", "peer", "tas", "tas_etcd",
                "from_clone", "spare", "advertise", "checkpoint_interval"});
  StartBackup r;
  r.name = checked_name(text_field(j, "name", true));
  if (!j.contains("generation") || !j["generation"].is_number_unsigned())
    throw Error("field 'generation' must be a non-negative integer");
  r.generation = j["generation"].get<std::uint64_t>();
  r.config_path = text_field(j, "config", false);
  r.config_toml = text_field(j, "config_toml", false);
  if (r.config_path.empty() == r.config_toml.empty()) throw Error("give exactly one of 'config' and 'config_toml'");
  if (!r.config_path.empty()) host::load_vm_config(checked_path(r.config_path));  // exists and parses
  if (!r.config_toml.empty()) {
    if (r.config_toml.size() > kMaxTomlBytes) throw Error("field 'config_toml' is above 64 KiB");
    host::parse_vm_config(r.config_toml, "config_toml");
  }
  r.listen = text_field(j, "listen", false);
  r.peer = text_field(j, "peer", false);
  if (r.listen.empty() == r.peer.empty()) throw Error("give exactly one of 'listen' and 'peer'");
  if (!r.listen.empty()) checked_address("listen", r.listen);
  if (!r.peer.empty()) checked_address("peer", r.peer);
  r.tas = text_field(j, "tas", false);
  r.tas_etcd = address_list(j, "tas_etcd");
  if (r.tas.empty() == r.tas_etcd.empty()) throw Error("give exactly one of 'tas' and 'tas_etcd'");
  if (!r.tas.empty()) checked_address("tas", r.tas);
  r.from_clone = text_field(j, "from_clone", false);
  if (!r.from_clone.empty()) checked_address("from_clone", r.from_clone);
  r.spares = address_list(j, "spare");
  r.advertise = text_field(j, "advertise", false);
  if (j.contains("advertise")) checked_address("advertise", r.advertise + ":1");  // a host name only
  if (j.contains("checkpoint_interval")) {
    if (!j["checkpoint_interval"].is_number_unsigned())
      throw Error("field 'checkpoint_interval' must be a non-negative integer");
    r.checkpoint_interval = j["checkpoint_interval"].get<std::uint64_t>();
  }
  return r;
}

}  // namespace

AgentRequest parse_request(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error("a request is one JSON object per line");
  const std::string op = text_field(j, "op", true);
  if (op == "start-backup") return parse_start(j);
  if (op == "list") {
    only_keys(j, {"op"});
    return ListChildren{};
  }
  if (op == "stop") {
    only_keys(j, {"op", "pid"});
    if (!j.contains("pid") || !j["pid"].is_number_integer() || j["pid"].get<std::int64_t>() <= 0)
      throw Error("field 'pid' must be a positive integer");
    return StopChild{j["pid"].get<std::int64_t>()};
  }
  throw Error("unknown op '" + op + "' (start-backup, list or stop)");
}

std::string encode_request(const StartBackup& r) {
  json j{{"op", "start-backup"}, {"name", r.name}, {"generation", r.generation}};
  if (!r.config_path.empty()) j["config"] = r.config_path;
  if (!r.config_toml.empty()) j["config_toml"] = r.config_toml;
  if (!r.listen.empty()) j["listen"] = r.listen;
  if (!r.peer.empty()) j["peer"] = r.peer;
  if (!r.tas.empty()) j["tas"] = r.tas;
  if (!r.tas_etcd.empty()) j["tas_etcd"] = r.tas_etcd;
  if (!r.from_clone.empty()) j["from_clone"] = r.from_clone;
  if (!r.spares.empty()) j["spare"] = r.spares;
  if (!r.advertise.empty()) j["advertise"] = r.advertise;
  if (r.checkpoint_interval) j["checkpoint_interval"] = *r.checkpoint_interval;
  return j.dump();
}

std::string encode_request(const StopChild& r) { return json{{"op", "stop"}, {"pid", r.pid}}.dump(); }

std::vector<std::string> backup_arguments(const StartBackup& r, const std::string& ftvm_path,
                                          const std::string& config_file) {
  std::vector<std::string> argv = {ftvm_path, "vm", "--role", "backup", "--config", config_file,
                                   "--name", r.name, "--generation", std::to_string(r.generation), "--quiet"};
  auto add = [&argv](const char* flag, const std::string& value) {
    argv.push_back(flag);
    argv.push_back(value);
  };
  if (!r.listen.empty()) add("--listen", r.listen);
  if (!r.peer.empty()) add("--peer", r.peer);
  if (!r.tas.empty()) add("--tas", r.tas);
  if (!r.tas_etcd.empty()) {
    std::string members;
    for (const std::string& m : r.tas_etcd) members += (members.empty() ? "" : ",") + m;
    add("--tas-etcd", members);
  }
  if (!r.from_clone.empty()) add("--from-clone", r.from_clone);
  if (!r.spares.empty()) {
    std::string agents;
    for (const std::string& a : r.spares) agents += (agents.empty() ? "" : ",") + a;
    add("--spare", agents);
  }
  if (!r.advertise.empty()) add("--advertise", r.advertise);
  if (r.checkpoint_interval) add("--checkpoint-interval", std::to_string(*r.checkpoint_interval));
  return argv;
}

}  // namespace ftvm::agent
