#include "pair/machine_description.h"

#include <charconv>

#include "machine/core/error.h"

namespace ftvm::pair {

namespace {
constexpr std::string_view kPrefix = "ftvm-pair/1 disks=";

host::OpenedDisk parse_disk(std::string_view item, const std::string& whole) {
  auto colon = item.find(':');
  if (colon == std::string_view::npos) throw Error("bad disk '" + std::string(item) + "' in pair header '" + whole + "'");
  host::OpenedDisk d;
  auto digits = item.substr(0, colon);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d.capacity);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    throw Error("bad disk size '" + std::string(digits) + "' in pair header '" + whole + "'");
  auto mode = item.substr(colon + 1);
  if (mode != "rw" && mode != "ro") throw Error("bad disk mode '" + std::string(mode) + "' in pair header '" + whole + "'");
  d.read_only = mode == "ro";
  return d;
}
}  // namespace

std::string describe_machine(const std::vector<host::OpenedDisk>& disks) {
  std::string s(kPrefix);
  for (std::size_t i = 0; i < disks.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(disks[i].capacity) + (disks[i].read_only ? ":ro" : ":rw");
  }
  return s;
}

std::vector<host::OpenedDisk> parse_machine_description(const std::string& text) {
  if (text.rfind(kPrefix, 0) != 0)
    throw Error("the log header's creation info '" + text + "' is not from an ftvm pair primary of this version");
  std::vector<host::OpenedDisk> disks;
  std::string_view rest = std::string_view(text).substr(kPrefix.size());
  while (!rest.empty()) {
    auto comma = rest.find(',');
    disks.push_back(parse_disk(rest.substr(0, comma), text));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
    if (rest.empty()) throw Error("trailing comma in pair header '" + text + "'");
  }
  return disks;
}

}  // namespace ftvm::pair
