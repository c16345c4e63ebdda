#include "machine/platform/live_clone.h"

#include <vector>

#include "machine/core/error.h"
#include "machine/core/guest_ram.h"

namespace ftvm::machine {

namespace {

// Copies the listed pages across; returns how many.
std::uint64_t send_pages(const Machine& source, Machine& target, const std::vector<std::uint64_t>& pages) {
  std::vector<std::uint8_t> page(kPageSize);
  for (std::uint64_t index : pages) {
    source.read_page(index, page);
    target.write_page(index, page);
  }
  return pages.size();
}

std::vector<std::uint64_t> all_pages(const Machine& m) {
  std::vector<std::uint64_t> pages(m.page_count());
  for (std::uint64_t i = 0; i < pages.size(); ++i) pages[i] = i;
  return pages;
}

// Turns the source's tracking off however the clone ends: a failed clone
// must not leave the source paying for tracking forever.
class TrackingSession {
 public:
  explicit TrackingSession(Machine& m) : m_(m) { m_.start_dirty_tracking(); }
  ~TrackingSession() { m_.stop_dirty_tracking(); }
  TrackingSession(const TrackingSession&) = delete;
  TrackingSession& operator=(const TrackingSession&) = delete;

 private:
  Machine& m_;
};

// Sends all pages, then rounds of dirty pages while the source runs, until
// a round leaves few enough (or the round limit). Returns the last round's
// dirty pages, not yet sent: the source is paused from here on.
std::vector<std::uint64_t> precopy(Machine& source, Machine& target, const std::function<void(Machine&)>& run_slice,
                                   const CloneOptions& options, CloneReport& report) {
  report.pages_sent += send_pages(source, target, all_pages(source));
  for (;;) {
    run_slice(source);
    std::vector<std::uint64_t> dirty = source.take_dirty_pages();
    if (dirty.size() <= options.final_round_pages || report.rounds >= options.max_rounds) return dirty;
    report.pages_sent += send_pages(source, target, dirty);
    ++report.rounds;
  }
}

}  // namespace

CloneReport clone_machine(Machine& source, Machine& target, const std::function<void(Machine&)>& run_slice,
                          const CloneOptions& options) {
  if (source.page_count() != target.page_count())
    throw Error("cannot clone: the target machine's RAM size differs from the source's");
  CloneReport report;
  std::vector<std::uint8_t> state;
  {
    // Tracking starts before the first copy, so a write made after a page
    // was copied is always seen by a later round.
    TrackingSession tracking(source);
    std::vector<std::uint64_t> last = precopy(source, target, run_slice, options, report);
    report.final_pages = send_pages(source, target, last);
    report.pages_sent += report.final_pages;
    state = source.save_state();
  }
  report.state_bytes = state.size();
  target.restore_state(state);
  report.instret = target.instret();
  return report;
}

}  // namespace ftvm::machine
