#include "host/vm_config.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "disk/open_disk.h"
#include "machine/core/error.h"

namespace ftvm::host {

namespace {

// Rejects keys outside `allowed`, naming the first offender.
void check_keys(const toml::table& table, const std::set<std::string>& allowed, const std::string& where,
                const std::string& origin) {
  for (const auto& [key, value] : table) {
    std::string k(key.str());
    if (!allowed.contains(k))
      throw Error(origin + ": unknown key '" + (where.empty() ? k : where + "." + k) + "'");
  }
}

std::optional<std::string> string_at(const toml::table& t, const char* key, const std::string& where,
                                     const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) throw Error(origin + ": '" + where + "." + key + "' must be a string");
  std::string s = n->value<std::string>().value_or("");
  return s;
}

std::optional<bool> bool_at(const toml::table& t, const char* key, const std::string& where, const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) throw Error(origin + ": '" + where + "." + key + "' must be true or false");
  return n->value<bool>();
}

const toml::table& table_at(const toml::node& n, const std::string& where, const std::string& origin) {
  if (!n.is_table()) throw Error(origin + ": '" + where + "' must be a table");
  return *n.as_table();
}

void parse_machine(const toml::table& t, VmConfig& cfg, const std::string& origin) {
  check_keys(t, {"mem", "firmware", "kernel", "initrd", "append"}, "machine", origin);
  if (const toml::node* mem = t.get("mem")) {
    std::optional<std::uint64_t> bytes;
    if (mem->is_string()) bytes = parse_size(*mem->value<std::string>());
    if (mem->is_integer() && *mem->value<std::int64_t>() > 0) bytes = static_cast<std::uint64_t>(*mem->value<std::int64_t>());
    if (!bytes) throw Error(origin + ": 'machine.mem' must be a size like \"512M\"");
    cfg.mem_bytes = *bytes;
  }
  if (auto s = string_at(t, "firmware", "machine", origin)) cfg.firmware = *s;
  if (auto s = string_at(t, "kernel", "machine", origin)) cfg.kernel = *s;
  if (auto s = string_at(t, "initrd", "machine", origin)) cfg.initrd = *s;
  if (auto s = string_at(t, "append", "machine", origin)) cfg.append = *s;
}

DiskSpec parse_disk_table(const toml::table& t, const std::string& where, const std::string& origin) {
  check_keys(t, {"path", "nbd", "read_only"}, where, origin);
  auto path = string_at(t, "path", where, origin);
  auto nbd = string_at(t, "nbd", where, origin);
  if (path.has_value() == nbd.has_value()) throw Error(origin + ": '" + where + "' needs exactly one of 'path' or 'nbd'");
  DiskSpec d;
  d.source = path ? *path : *nbd;
  if (d.source.empty()) throw Error(origin + ": '" + where + (path ? ".path" : ".nbd") + "' is empty");
  if (nbd && !disk::is_nbd_uri(d.source))
    throw Error(origin + ": '" + where + ".nbd' must be an nbd:// or nbd+unix:// URI");
  d.read_only = bool_at(t, "read_only", where, origin).value_or(false);
  return d;
}

NetSpec parse_net_table(const toml::table& t, const std::string& where, const std::string& origin) {
  check_keys(t, {"switch", "tap", "mac"}, where, origin);
  auto sw = string_at(t, "switch", where, origin);
  auto tap = string_at(t, "tap", where, origin);
  if (sw.has_value() == tap.has_value()) throw Error(origin + ": '" + where + "' needs exactly one of 'switch' or 'tap'");
  NetSpec n;
  n.kind = sw ? net::NetBackendKind::kSwitch : net::NetBackendKind::kTap;
  n.where = sw ? *sw : *tap;
  if (n.where.empty()) throw Error(origin + ": '" + where + (sw ? ".switch" : ".tap") + "' is empty");
  if (auto mac = string_at(t, "mac", where, origin)) {
    n.mac = net::MacAddress::parse(*mac);
    if (!n.mac || n.mac->is_group())
      throw Error(origin + ": '" + where + ".mac' must be a unicast MAC like \"52:54:00:12:34:56\"");
  }
  return n;
}

template <typename Spec, typename ParseOne>
std::vector<Spec> parse_array(const toml::node& n, const std::string& name, const std::string& origin, ParseOne one) {
  const toml::array* arr = n.as_array();
  if (!arr) throw Error(origin + ": '" + name + "' must be written [[" + name + "]]");
  std::vector<Spec> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    std::string where = name + "[" + std::to_string(i) + "]";
    out.push_back(one(table_at(*arr->get(i), where, origin), where, origin));
  }
  return out;
}

}  // namespace

std::optional<std::uint64_t> parse_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string suffix(end, text.data() + text.size());
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") shift = 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB") shift = 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB") shift = 30;
  else if (!suffix.empty()) return std::nullopt;
  if (value == 0 || value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

VmConfig parse_vm_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw Error(origin + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
                std::string(e.description()));
  }
  check_keys(root, {"machine", "disk", "net", "rng"}, "", origin);
  VmConfig cfg;
  if (const toml::node* m = root.get("machine")) parse_machine(table_at(*m, "machine", origin), cfg, origin);
  if (const toml::node* d = root.get("disk")) cfg.disks = parse_array<DiskSpec>(*d, "disk", origin, parse_disk_table);
  if (const toml::node* n = root.get("net")) cfg.nets = parse_array<NetSpec>(*n, "net", origin, parse_net_table);
  if (const toml::node* r = root.get("rng")) {
    const toml::table& t = table_at(*r, "rng", origin);
    check_keys(t, {"enabled"}, "rng", origin);
    cfg.rng = bool_at(t, "enabled", "rng", origin).value_or(true);
  }
  return cfg;
}

VmConfig load_vm_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_vm_config(text.str(), path);
}

DiskSpec parse_disk_flag(const std::string& flag) {
  DiskSpec d;
  d.source = flag;
  if (flag.ends_with(",ro")) {
    d.read_only = true;
    d.source = flag.substr(0, flag.size() - 3);
  }
  if (d.source.empty()) throw Error("--disk '" + flag + "': expected PATH or nbd://URI, optionally followed by ,ro");
  return d;
}

NetSpec parse_net_flag(const std::string& flag) {
  NetSpec n;
  std::string rest;
  if (flag.starts_with("switch:")) {
    rest = flag.substr(7);
  } else if (flag.starts_with("tap:")) {
    n.kind = net::NetBackendKind::kTap;
    rest = flag.substr(4);
  } else {
    throw Error("--net '" + flag + "': expected switch:SOCKET or tap:IFNAME, optionally followed by ,mac=MAC");
  }
  if (auto comma = rest.find(",mac="); comma != std::string::npos) {
    n.mac = net::MacAddress::parse(rest.substr(comma + 5));
    if (!n.mac || n.mac->is_group()) throw Error("--net '" + flag + "': bad MAC address");
    rest = rest.substr(0, comma);
  }
  if (rest.empty()) throw Error("--net '" + flag + "': the socket path or interface name is empty");
  n.where = rest;
  return n;
}

}  // namespace ftvm::host
