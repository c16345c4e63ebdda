#pragma once
// What one `ftvm vm` process publishes about itself in its status file
// (--status-file), and its JSON form. `ftvm status` and `ftvm kill-primary`
// read these files; the format is versioned so an old reader can refuse a
// newer file with a clear message instead of misreading it.
#include <cstdint>
#include <string>

namespace ftvm::pair {

inline constexpr int kStatusFormatVersion = 1;

struct VmStatus {
  std::string role;   // the role the process started as: "primary" / "backup"
  std::string state;  // its FT state now (ft::to_string): "primary", "live", ...
  std::string vm_name;
  std::uint64_t generation = 0;
  std::int64_t pid = 0;
  // The process's start time (clock ticks since boot, /proc/PID/stat field
  // 22): together with the pid it names the process even after the pid is
  // reused, so a stale file never makes us signal a stranger.
  std::uint64_t process_start = 0;
  std::string peer;  // the other member's address, or where we listen for it
  std::uint64_t instret = 0;
  std::uint64_t lag_instructions = 0;
  std::uint64_t log_bytes = 0;
  std::uint64_t log_bytes_per_second = 0;
  std::uint64_t held_outputs = 0;
  std::int64_t updated_unix_ms = 0;  // host wall clock when written
  std::string line;                  // the live status line, as printed

  bool operator==(const VmStatus&) const = default;
};

std::string to_json_text(const VmStatus& status);

// Throws ftvm::Error naming the first problem (not JSON, wrong version, a
// field missing or of the wrong type or range).
VmStatus parse_vm_status(const std::string& text);

// The FT states in which a process runs the guest and releases its outputs:
// the one to kill to "pull the primary's plug".
bool runs_the_guest(const VmStatus& status);

}  // namespace ftvm::pair
