#pragma once
// The one-line live status `ftvm vm` prints on stderr about once a second:
// role, FT state, guest instructions, replay lag, log rate, held outputs.
#include <chrono>
#include <cstdint>
#include <string>

#include "ft/node_state.h"

namespace ftvm::pair {

struct StatusSample {
  std::string role;  // "primary" / "backup"
  ft::NodeState state = ft::NodeState::kPrimary;
  std::uint64_t instret = 0;
  std::uint64_t lag_instructions = 0;
  std::uint64_t log_bytes = 0;  // total so far (sent by a primary, received by a backup)
  std::size_t held_outputs = 0;
};

// The line itself, with the log rate over `seconds`.
std::string format_status(const StatusSample& s, std::uint64_t log_bytes_per_second);

class StatusLine {
 public:
  explicit StatusLine(bool enabled) : enabled_(enabled) {}
  // Prints when a second has passed since the last line.
  void maybe_print(const StatusSample& s);

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::uint64_t last_bytes_ = 0;
};

}  // namespace ftvm::pair
