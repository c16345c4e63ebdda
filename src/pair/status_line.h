#pragma once
// The live status of one `ftvm vm` process -- role, FT state, guest
// instructions, replay lag, log rate, held outputs -- about once a second:
// as one line on stderr (unless --quiet) and, with --status-file, as a JSON
// status file that `ftvm status` and `ftvm kill-primary` read. A change of
// FT state (e.g. the backup going live) is written to the file at once.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ft/node_state.h"
#include "pair/pair_options.h"
#include "pair/status_record.h"

namespace ftvm::pair {

struct StatusSample {
  std::string role;  // "primary" / "backup"
  ft::NodeState state = ft::NodeState::kPrimary;
  std::uint64_t instret = 0;
  std::uint64_t lag_instructions = 0;
  std::uint64_t log_bytes = 0;  // total so far (sent by a primary, received by a backup)
  std::size_t held_outputs = 0;
};

// The line itself, with the log rate over the last interval.
std::string format_status(const StatusSample& s, std::uint64_t log_bytes_per_second);

// The file's contents for a sample; `identity` gives the fields that do not
// change (vm, generation, pid, process start, peer).
VmStatus status_record_from(const StatusSample& s, std::uint64_t log_bytes_per_second, const VmStatus& identity,
                            std::int64_t now_unix_ms);

// What the status file names as the peer of a side that runs alone.
inline constexpr std::string_view kNoPeer = "none";

class StatusLine {
 public:
  // The stderr line only.
  explicit StatusLine(bool enabled) : print_(enabled) {}
  // The stderr line when options.status, the file when options.status_file.
  // Before the peer is there, the file names what the options say of it:
  // "listening on HOST:PORT" for --listen, the address for --peer, kNoPeer
  // for a side that starts alone.
  explicit StatusLine(const PairOptions& options);
  // Once the peer is connected: the file names `connected_peer`, its address
  // as the logging channel sees it, whichever side listened.
  StatusLine(const PairOptions& options, std::string connected_peer);

  // The file names `peer` as the other member from now on (kNoPeer when the
  // pair broke up and this side runs alone).
  void set_peer(std::string peer) { identity_.peer = std::move(peer); }

  // Prints and writes when a second has passed since the last time, and
  // writes the file at once when the FT state changed.
  void maybe_print(const StatusSample& s);

 private:
  void write_file(const StatusSample& s);

  bool print_;
  std::string file_;
  VmStatus identity_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::uint64_t last_bytes_ = 0;
  std::uint64_t rate_ = 0;
  std::optional<ft::NodeState> written_state_;
  bool warned_ = false;
};

}  // namespace ftvm::pair
