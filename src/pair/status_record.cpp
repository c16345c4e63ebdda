#include "pair/status_record.h"

#include <nlohmann/json.hpp>

#include <cstdint>

#include "machine/core/error.h"

namespace ftvm::pair {

namespace {

using Json = nlohmann::json;

const Json& field(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("status: field '") + name + "' is missing");
  return *it;
}

std::string text_field(const Json& j, const char* name) {
  const Json& v = field(j, name);
  if (!v.is_string()) throw Error(std::string("status: field '") + name + "' is not a string");
  return v.get<std::string>();
}

std::uint64_t count_field(const Json& j, const char* name) {
  const Json& v = field(j, name);
  if (!v.is_number_unsigned()) throw Error(std::string("status: field '") + name + "' is not a non-negative integer");
  return v.get<std::uint64_t>();
}

std::int64_t signed_field(const Json& j, const char* name) {
  const Json& v = field(j, name);
  if (!v.is_number_integer()) throw Error(std::string("status: field '") + name + "' is not an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    throw Error(std::string("status: field '") + name + "' is out of range");
  return v.get<std::int64_t>();
}

}  // namespace

std::string to_json_text(const VmStatus& s) {
  // Insertion order is kept (ordered_json) so the file reads in a fixed,
  // human-friendly order.
  nlohmann::ordered_json j;
  j["version"] = kStatusFormatVersion;
  j["role"] = s.role;
  j["state"] = s.state;
  j["vm"] = s.vm_name;
  j["generation"] = s.generation;
  j["pid"] = s.pid;
  j["process_start"] = s.process_start;
  j["peer"] = s.peer;
  j["instret"] = s.instret;
  j["lag_instructions"] = s.lag_instructions;
  j["log_bytes"] = s.log_bytes;
  j["log_bytes_per_second"] = s.log_bytes_per_second;
  j["held_outputs"] = s.held_outputs;
  j["updated_unix_ms"] = s.updated_unix_ms;
  j["line"] = s.line;
  return j.dump(2) + "\n";
}

VmStatus parse_vm_status(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error("status: not valid JSON");
  if (!j.is_object()) throw Error("status: not a JSON object");
  std::int64_t version = signed_field(j, "version");
  if (version != kStatusFormatVersion)
    throw Error("status: format version " + std::to_string(version) + ", this ftvm reads version " +
                std::to_string(kStatusFormatVersion));
  VmStatus s;
  s.role = text_field(j, "role");
  s.state = text_field(j, "state");
  s.vm_name = text_field(j, "vm");
  s.generation = count_field(j, "generation");
  s.pid = signed_field(j, "pid");
  // pid_t is 32 bits; anything else could not name a process.
  if (s.pid <= 0 || s.pid > INT32_MAX) throw Error("status: field 'pid' is not a valid process id");
  s.process_start = count_field(j, "process_start");
  s.peer = text_field(j, "peer");
  s.instret = count_field(j, "instret");
  s.lag_instructions = count_field(j, "lag_instructions");
  s.log_bytes = count_field(j, "log_bytes");
  s.log_bytes_per_second = count_field(j, "log_bytes_per_second");
  s.held_outputs = count_field(j, "held_outputs");
  s.updated_unix_ms = signed_field(j, "updated_unix_ms");
  s.line = text_field(j, "line");
  return s;
}

bool runs_the_guest(const VmStatus& s) {
  return s.state == "primary" || s.state == "primary-failover" || s.state == "live";
}

}  // namespace ftvm::pair
