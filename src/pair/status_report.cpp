#include "pair/status_report.h"

#include <fmt/format.h>

#include <filesystem>

#include "machine/core/error.h"
#include "pair/status_file.h"

namespace ftvm::pair {

namespace {

std::string kb_per_second(std::uint64_t bytes_per_second) {
  return fmt::format("{:.1f}KB/s", static_cast<double>(bytes_per_second) / 1024.0);
}

std::string age(std::int64_t now_unix_ms, std::int64_t updated_unix_ms) {
  double seconds = static_cast<double>(now_unix_ms - updated_unix_ms) / 1000.0;
  if (seconds < 0) seconds = 0;  // written by a host whose clock is ahead
  return fmt::format("{:.1f}s", seconds);
}

FoundStatus read_one(const std::string& path, const ProcessCheck& alive) {
  FoundStatus f;
  f.path = path;
  try {
    f.status = read_status_file(path);
    f.alive = alive(static_cast<pid_t>(f.status->pid), f.status->process_start);
  } catch (const Error& e) {
    f.error = e.what();
  }
  return f;
}

std::string who(const VmStatus& s) {
  return fmt::format("{}/{} {} pid {}", s.vm_name, s.generation, s.role, s.pid);
}

}  // namespace

std::vector<FoundStatus> find_statuses(const std::vector<std::string>& paths, const ProcessCheck& alive) {
  std::vector<FoundStatus> found;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      for (const std::string& file : list_status_files(path)) found.push_back(read_one(file, alive));
    } else {
      found.push_back(read_one(path, alive));
    }
  }
  return found;
}

std::string format_status_entry(const FoundStatus& f, std::int64_t now_unix_ms) {
  if (!f.status) return fmt::format("UNREADABLE {}", f.error);
  const VmStatus& s = *f.status;
  if (!f.alive) {
    return fmt::format("{}  STALE (process gone; last state={} instret={}, written {} ago)  {}", who(s), s.state,
                       s.instret, age(now_unix_ms, s.updated_unix_ms), f.path);
  }
  return fmt::format("{}  state={} instret={} lag={} log={} held={} peer={} (updated {} ago)", who(s), s.state,
                     s.instret, s.lag_instructions, kb_per_second(s.log_bytes_per_second), s.held_outputs, s.peer,
                     age(now_unix_ms, s.updated_unix_ms));
}

std::string format_status_summary(const std::vector<FoundStatus>& found) {
  std::string line;
  for (const FoundStatus& f : found) {
    if (!line.empty()) line += " | ";
    if (!f.status) {
      line += "unreadable " + std::filesystem::path(f.path).filename().string();
      continue;
    }
    const VmStatus& s = *f.status;
    if (!f.alive) {
      line += fmt::format("{}[{}] GONE", s.role, s.pid);
      continue;
    }
    line += fmt::format("{}[{}] {} instret={} lag={} log={} held={}", s.role, s.pid, s.state,
                        abbreviate_count(s.instret), abbreviate_count(s.lag_instructions),
                        kb_per_second(s.log_bytes_per_second), s.held_outputs);
  }
  return line.empty() ? "no ftvm vm status files" : line;
}

const FoundStatus& choose_primary(const std::vector<FoundStatus>& found, const std::string& vm_name) {
  std::vector<const FoundStatus*> candidates;
  for (const FoundStatus& f : found) {
    if (!f.status || !f.alive || !runs_the_guest(*f.status)) continue;
    if (!vm_name.empty() && f.status->vm_name != vm_name) continue;
    candidates.push_back(&f);
  }
  if (candidates.size() == 1) return *candidates.front();
  if (candidates.empty()) {
    std::string what = vm_name.empty() ? std::string("no running ftvm vm process runs a guest as primary")
                                       : "no running ftvm vm process runs VM '" + vm_name + "' as primary";
    throw Error(what + " (" + std::to_string(found.size()) + " status file(s) looked at)");
  }
  std::string names;
  for (const FoundStatus* c : candidates) names += (names.empty() ? "" : ", ") + who(*c->status);
  throw Error("more than one process runs a guest (" + names + "): choose one with --name");
}

std::string abbreviate_count(std::uint64_t n) {
  if (n < 10'000) return std::to_string(n);
  double v = static_cast<double>(n);
  if (n < 1'000'000) return fmt::format("{:.1f}k", v / 1e3);
  if (n < 1'000'000'000) return fmt::format("{:.1f}M", v / 1e6);
  return fmt::format("{:.2f}G", v / 1e9);
}

}  // namespace ftvm::pair
