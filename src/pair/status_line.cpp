#include "pair/status_line.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "machine/core/error.h"
#include "pair/status_file.h"
#include "pair/status_process.h"

namespace ftvm::pair {

namespace {

// The peer as the options describe it, before it connects.
std::string expected_peer(const PairOptions& o) {
  if (!o.peer.empty()) return o.peer;
  if (!o.listen.empty()) return "listening on " + o.listen;
  return std::string(kNoPeer);
}

VmStatus identity_from(const PairOptions& o) {
  VmStatus id;
  id.vm_name = o.pair.vm_name;
  id.generation = o.pair.generation;
  id.pid = ::getpid();
  id.process_start = process_start_time(::getpid()).value_or(0);
  id.peer = expected_peer(o);
  return id;
}

std::int64_t unix_ms_now() {
  // Host wall time, only to show a reader how old a file is; nothing in the
  // machine sees it.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string format_status(const StatusSample& s, std::uint64_t log_bytes_per_second) {
  return fmt::format("ftvm vm: role={} state={} instret={} lag={} log={:.1f}KB/s held={}", s.role,
                     ft::to_string(s.state), s.instret, s.lag_instructions,
                     static_cast<double>(log_bytes_per_second) / 1024.0, s.held_outputs);
}

VmStatus status_record_from(const StatusSample& s, std::uint64_t log_bytes_per_second, const VmStatus& identity,
                            std::int64_t now_unix_ms) {
  VmStatus r = identity;
  r.role = s.role;
  r.state = std::string(ft::to_string(s.state));
  r.instret = s.instret;
  r.lag_instructions = s.lag_instructions;
  r.log_bytes = s.log_bytes;
  r.log_bytes_per_second = log_bytes_per_second;
  r.held_outputs = s.held_outputs;
  r.updated_unix_ms = now_unix_ms;
  r.line = format_status(s, log_bytes_per_second);
  return r;
}

StatusLine::StatusLine(const PairOptions& options)
    : print_(options.status), file_(options.status_file), identity_(identity_from(options)) {}

StatusLine::StatusLine(const PairOptions& options, std::string connected_peer) : StatusLine(options) {
  set_peer(std::move(connected_peer));
}

void StatusLine::maybe_print(const StatusSample& s) {
  if (!print_ && file_.empty()) return;
  auto now = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed >= 1.0) {
    // A counter that went backwards (a new log) gives no rate, not a huge one.
    std::uint64_t grown = s.log_bytes >= last_bytes_ ? s.log_bytes - last_bytes_ : 0;
    rate_ = static_cast<std::uint64_t>(static_cast<double>(grown) / elapsed);
    if (print_) std::fprintf(stderr, "%s\n", format_status(s, rate_).c_str());
    last_ = now;
    last_bytes_ = s.log_bytes;
    write_file(s);
  } else if (written_state_ != s.state) {
    write_file(s);
  }
}

void StatusLine::write_file(const StatusSample& s) {
  if (file_.empty()) return;
  written_state_ = s.state;
  try {
    write_file_atomically(file_, to_json_text(status_record_from(s, rate_, identity_, unix_ms_now())));
  } catch (const Error& e) {
    // The status file is for observers; the VM goes on without it. Said
    // once, not every second.
    if (!warned_) spdlog::warn("ftvm vm: cannot write the status file: {}", e.what());
    warned_ = true;
  }
}

}  // namespace ftvm::pair
