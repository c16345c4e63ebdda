#pragma once
// Is the process a status file names still the one that wrote it? A pid
// alone is not enough: pids are reused, and `ftvm kill-primary` must never
// send SIGKILL to an unrelated process that inherited the pid of a primary
// that died. The writer records its start time; a reader compares it.
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace ftvm::pair {

// Field 22 of a /proc/PID/stat line (start time in clock ticks since boot);
// nullopt when the line is not in the expected form or the process is a
// zombie (it has exited; only its exit status is left to collect).
std::optional<std::uint64_t> start_time_from_stat_line(const std::string& line);

// The start time of a running process, nullopt when there is none.
std::optional<std::uint64_t> process_start_time(pid_t pid);

// True when `pid` is running and started at `start`.
bool is_same_process(pid_t pid, std::uint64_t start);

}  // namespace ftvm::pair
