#include "pair/status_line.h"

#include <fmt/format.h>

#include <cstdio>

namespace ftvm::pair {

std::string format_status(const StatusSample& s, std::uint64_t log_bytes_per_second) {
  return fmt::format("ftvm vm: role={} state={} instret={} lag={} log={:.1f}KB/s held={}", s.role,
                     ft::to_string(s.state), s.instret, s.lag_instructions,
                     static_cast<double>(log_bytes_per_second) / 1024.0, s.held_outputs);
}

void StatusLine::maybe_print(const StatusSample& s) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed < 1.0) return;
  auto rate = static_cast<std::uint64_t>(static_cast<double>(s.log_bytes - last_bytes_) / elapsed);
  std::fprintf(stderr, "%s\n", format_status(s, rate).c_str());
  last_ = now;
  last_bytes_ = s.log_bytes;
}

}  // namespace ftvm::pair
