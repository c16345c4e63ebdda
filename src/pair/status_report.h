#pragma once
// What `ftvm status` and `ftvm kill-primary` do with status files: find
// them (directories or files), tell live processes from stale files, format
// them, and pick the process that currently runs the guest.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "pair/status_record.h"

namespace ftvm::pair {

struct FoundStatus {
  std::string path;
  std::optional<VmStatus> status;  // nullopt: the file could not be read
  std::string error;               // why, when status is nullopt
  bool alive = false;              // the process that wrote it still runs
};

// Whether the process (pid, start time) still runs; is_same_process in
// production, a stand-in in tests.
using ProcessCheck = std::function<bool(pid_t, std::uint64_t)>;

// Each path is a directory (its *.json files) or one status file. A file
// that cannot be read is reported, not fatal; a directory that cannot be
// read throws ftvm::Error.
std::vector<FoundStatus> find_statuses(const std::vector<std::string>& paths, const ProcessCheck& alive);

// One line per process, for `ftvm status`; `now_unix_ms` gives the age.
std::string format_status_entry(const FoundStatus& found, std::int64_t now_unix_ms);

// Every process on one short line (for a live display such as the demo's).
std::string format_status_summary(const std::vector<FoundStatus>& found);

// The one live process that runs the guest (primary, primary-failover or
// live), optionally only of VM `vm_name`. Throws ftvm::Error when there is
// none, or more than one (then naming them).
const FoundStatus& choose_primary(const std::vector<FoundStatus>& found, const std::string& vm_name);

// 1234567 -> "1.2M", 4.5e9 -> "4.50G": for numbers read at a glance.
std::string abbreviate_count(std::uint64_t n);

}  // namespace ftvm::pair
