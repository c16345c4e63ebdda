#include "clone/clone_sender.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "clone/clone_error.h"
#include "clone/zero_page.h"
#include "machine/platform/machine_impl.h"
#include "replay/state_digest.h"

namespace ftvm::clone {

namespace {

// A batch scans at most this many pages per data page it may carry, so a
// stretch of zero pages cannot make one step take long.
constexpr std::size_t kScanFactor = 16;
// Pages looked up in the kernel's page map at a time (256 KiB of entries).
constexpr std::uint64_t kUntouchedWindow = 32768;

const std::uint8_t* page_ptr(machine::Machine& m, std::uint64_t index) {
  const machine::GuestRam& ram = m.impl().ram();
  return ram.host_ptr(ram.base() + (index << machine::kPageShift), machine::kPageSize);
}

std::vector<std::uint64_t> every_page(std::uint64_t count) {
  std::vector<std::uint64_t> pages(count);
  for (std::uint64_t i = 0; i < count; ++i) pages[i] = i;
  return pages;
}

std::vector<std::uint64_t> merged(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

CloneSender::CloneSender(machine::Machine& source, ClonePolicy policy, ProgressCallback on_progress)
    : source_(source), policy_(policy), on_progress_(std::move(on_progress)), started_(Clock::now()) {
  if (policy_.pages_per_message == 0) policy_.pages_per_message = 1;
  source_.start_dirty_tracking();
  queue_ = every_page(source_.page_count());
}

CloneSender::~CloneSender() { source_.stop_dirty_tracking(); }

SenderChunk CloneSender::next() {
  SenderChunk chunk;
  if (finished_ || paused_at_) {
    chunk.pause_now = true;
    return chunk;
  }
  if (!hello_sent_) {
    Hello hello;
    hello.config_hash = replay::config_hash(source_.config());
    hello.ram_size = source_.config().ram_size;
    hello.start_instret = source_.instret();
    chunk.bytes = encode_message(hello);
    hello_sent_ = true;
  }
  if (queue_pos_ < queue_.size())
    append_batch(chunk.bytes, round_);
  else
    end_round(chunk.bytes, chunk.pause_now);
  progress_.bytes += chunk.bytes.size();
  return chunk;
}

void CloneSender::append_batch(std::vector<std::uint8_t>& out, std::uint32_t round) {
  // In round 0 the queue is every page in order: ask the kernel which of the
  // next pages were never touched, so those cost neither a read nor a fault.
  std::vector<std::uint8_t> untouched;
  const std::uint64_t window_first = queue_[queue_pos_];
  if (round == 0) {
    const std::uint64_t window = std::min<std::uint64_t>(kUntouchedWindow, queue_.size() - queue_pos_);
    untouched_.query(page_ptr(source_, window_first), window, untouched);
    UntouchedPages::map_for_reading(page_ptr(source_, window_first), window);
  }
  std::vector<PageRef> refs;
  std::size_t data = 0;
  const std::size_t scan_limit = policy_.pages_per_message * kScanFactor;
  for (std::size_t scanned = 0; queue_pos_ < queue_.size() && data < policy_.pages_per_message &&
                                scanned < scan_limit;
       ++queue_pos_) {
    const std::uint64_t index = queue_[queue_pos_];
    if (round == 0 && index - window_first >= untouched.size()) break;  // past the window
    const bool never_touched = round == 0 && untouched[index - window_first];
    const std::uint8_t* page = never_touched ? nullptr : page_ptr(source_, index);
    if (!never_touched) ++scanned;
    ++progress_.pages;
    if (round == kFinalRound) ++progress_.final_pages;
    if (never_touched || is_zero_page(page)) {
      ++progress_.zero_pages;
      // Consecutive zero pages share one run.
      if (!refs.empty() && refs.back().data == nullptr && refs.back().first + refs.back().count == index)
        ++refs.back().count;
      else
        refs.push_back({index, 1, nullptr});
      continue;
    }
    ++progress_.data_pages;
    ++data;
    refs.push_back({index, 1, page});
  }
  append_pages_message(out, round, refs);
}

void CloneSender::end_round(std::vector<std::uint8_t>& out, bool& pause_now) {
  std::vector<std::uint8_t> end = encode_message(RoundEnd{round_, queue_.size()});
  out.insert(out.end(), end.begin(), end.end());
  std::vector<std::uint64_t> dirty = source_.take_dirty_pages();
  const bool few_left = dirty.size() <= policy_.final_round_pages;
  const bool out_of_rounds = round_ >= policy_.max_rounds;
  const bool not_shrinking = round_ > 0 && dirty.size() >= queue_.size();
  if (round_ > 0) ++progress_.rounds;
  if (few_left || out_of_rounds || not_shrinking) {
    final_ = std::move(dirty);
    queue_.clear();
    queue_pos_ = 0;
    paused_at_ = Clock::now();
    pause_now = true;
  } else {
    queue_ = std::move(dirty);
    queue_pos_ = 0;
    ++round_;
  }
  report();
}

std::vector<std::uint8_t> CloneSender::finish() {
  if (finished_) throw CloneError("finish() called twice");
  if (!paused_at_) paused_at_ = Clock::now();  // the caller cut pre-copy short
  // Pages of an unfinished round were read, but maybe not all sent: send
  // them again with the final ones rather than reason about which.
  std::vector<std::uint64_t> unsent(queue_.begin() + static_cast<std::ptrdiff_t>(queue_pos_), queue_.end());
  queue_ = merged(merged(final_, unsent), source_.take_dirty_pages());
  queue_pos_ = 0;
  source_.stop_dirty_tracking();
  std::vector<std::uint8_t> out;
  while (queue_pos_ < queue_.size()) append_batch(out, kFinalRound);
  std::vector<std::uint8_t> end = encode_message(RoundEnd{kFinalRound, queue_.size()});
  out.insert(out.end(), end.begin(), end.end());

  Final fin;
  fin.instret = source_.instret();
  // The digest covers all the state (RAM once per region); its combined
  // hash names the state in the verdict. Hashing RAM is most of the pause,
  // so it is done once, not again for Machine::state_hash.
  const replay::StateDigest digest = replay::digest(source_);
  fin.state_hash = digest.combined();
  fin.digest = digest.words();
  fin.state = source_.save_state();
  std::vector<std::uint8_t> last = encode_message(fin);
  out.insert(out.end(), last.begin(), last.end());

  expected_hash_ = fin.state_hash;
  progress_.instret = fin.instret;
  progress_.state_hash = fin.state_hash;
  progress_.state_bytes = fin.state.size();
  progress_.bytes += out.size();
  finished_ = true;
  report();
  return out;
}

void CloneSender::accept(const Verdict& verdict) {
  if (!verdict.ok) throw CloneError("the receiver refused the clone: " + verdict.message);
  if (!finished_) throw CloneError("the receiver accepted a clone that was not finished");
  if (verdict.instret != progress_.instret || verdict.state_hash != expected_hash_)
    throw CloneError("the receiver verified another state (instret " + std::to_string(verdict.instret) +
                     ", expected " + std::to_string(progress_.instret) + ")");
  progress_.total = Clock::now() - started_;
  progress_.done = true;
  report();
}

void CloneSender::resumed() {
  if (paused_at_) progress_.pause = Clock::now() - *paused_at_;
  report();
}

void CloneSender::report() const {
  if (on_progress_) on_progress_(progress_);
}

}  // namespace ftvm::clone
