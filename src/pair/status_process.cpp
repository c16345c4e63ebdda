#include "pair/status_process.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace ftvm::pair {

std::optional<std::uint64_t> start_time_from_stat_line(const std::string& line) {
  // "PID (COMM) STATE PPID ..." where COMM may hold spaces and parentheses:
  // the fields after the *last* ')' are plain tokens, field 3 first.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string token; rest >> token;) fields.push_back(token);
  constexpr std::size_t kStateIndex = 0;       // field 3
  constexpr std::size_t kStartTimeIndex = 19;  // field 22
  if (fields.size() <= kStartTimeIndex) return std::nullopt;
  if (fields[kStateIndex] == "Z" || fields[kStateIndex] == "X") return std::nullopt;
  const std::string& start = fields[kStartTimeIndex];
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(start.data(), start.data() + start.size(), value);
  if (ec != std::errc() || end != start.data() + start.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return std::nullopt;
  return start_time_from_stat_line(line);
}

bool is_same_process(pid_t pid, std::uint64_t start) {
  auto now = process_start_time(pid);
  return now && *now == start;
}

}  // namespace ftvm::pair
