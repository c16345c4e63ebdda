#include "clone/clone_receiver.h"

#include <string>

#include "clone/clone_error.h"
#include "clone/zero_page.h"
#include "machine/platform/machine_impl.h"
#include "replay/state_digest.h"

namespace ftvm::clone {

namespace {

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

CloneReceiver::CloneReceiver(machine::MachineConfig config, ProgressCallback on_progress)
    : config_(std::move(config)), on_progress_(std::move(on_progress)) {}

bool CloneReceiver::feed(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return done_;
  if (!started_) started_ = Clock::now();
  if (done_) throw CloneError("bytes after the final message");
  frames_.feed(bytes);
  while (std::optional<CloneFrame> frame = frames_.next()) {
    if (done_) throw CloneError("a message after the final message");
    progress_.bytes += kCloneFrameHeaderBytes + frame->payload.size() + kCloneFrameTrailerBytes;
    handle(decode_message(frame->type, frame->payload));
  }
  return done_;
}

void CloneReceiver::handle(const CloneMessage& message) {
  if (!machine_ && !std::holds_alternative<Hello>(message))
    throw CloneError("the stream starts with a " + message_name(message) + " message, not a hello");
  std::visit(
      [this](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, Hello>) on_hello(m);
        if constexpr (std::is_same_v<M, Pages>) on_pages(m);
        if constexpr (std::is_same_v<M, RoundEnd>) on_round_end(m);
        if constexpr (std::is_same_v<M, Final>) on_final(m);
        if constexpr (std::is_same_v<M, Verdict>) throw CloneError("the sender sent a verdict");
      },
      message);
}

void CloneReceiver::on_hello(const Hello& hello) {
  if (machine_) throw CloneError("a second hello");
  if (hello.version != kCloneProtocolVersion)
    throw CloneError("the sender speaks clone protocol version " + std::to_string(hello.version) +
                     ", this build speaks " + std::to_string(kCloneProtocolVersion));
  if (hello.page_size != machine::kPageSize)
    throw CloneError("the sender's pages are " + std::to_string(hello.page_size) + " bytes, ours are " +
                     std::to_string(machine::kPageSize));
  if (hello.ram_size != config_.ram_size)
    throw CloneError("the source machine has " + mib(hello.ram_size) + " of RAM, this one " + mib(config_.ram_size));
  if (hello.config_hash != replay::config_hash(config_))
    throw CloneError("the source machine's configuration differs from this one's (images, command line, "
                     "clock or devices)");
  machine_ = std::make_unique<machine::Machine>(config_);
  seen_.assign(machine_->page_count(), 0);
  unseen_ = machine_->page_count();
  report();
}

void CloneReceiver::expect_round(std::uint32_t round, const char* what) const {
  const std::uint32_t expected = final_round_ ? kFinalRound : round_;
  if (round == expected) return;
  if (round == kFinalRound && !final_round_) return;  // the final round may start after any round end
  throw CloneError(std::string(what) + " of round " + std::to_string(round) + " while round " +
                   std::to_string(expected) + " is open");
}

void CloneReceiver::on_pages(const Pages& pages) {
  expect_round(pages.round, "pages");
  if (pages.round == kFinalRound && !final_round_) {
    if (round_pages_ != 0) throw CloneError("the final round started inside round " + std::to_string(round_));
    final_round_ = true;
    final_started_ = Clock::now();
  }
  for (const PageEntry& entry : pages.entries) std::visit([this](const auto& e) { apply(e); }, entry);
}

void CloneReceiver::apply(const ZeroRun& run) {
  const std::uint64_t count = machine_->page_count();
  if (run.count == 0 || run.first >= count || run.count > count - run.first)
    throw CloneError("zero-page run " + std::to_string(run.first) + "+" + std::to_string(run.count) +
                     " lies outside RAM (" + std::to_string(count) + " pages)");
  const machine::GuestRam& ram = machine_->impl().ram();
  const std::vector<std::uint8_t> zeros(machine::kPageSize, 0);
  const std::uint8_t* first = ram.host_ptr(ram.base() + (run.first << machine::kPageShift), machine::kPageSize);
  std::vector<std::uint8_t> untouched;
  untouched_.query(first, run.count, untouched);
  UntouchedPages::map_for_reading(first, run.count);  // the digest check reads them all
  for (std::uint64_t i = 0; i < run.count; ++i) {
    // Most pages of a fresh machine are zero already: never-touched ones are
    // skipped unread, others read; only a page with data is written (writing
    // zeros everywhere would back all of RAM with host memory).
    if (untouched[i]) continue;
    const std::uint64_t index = run.first + i;
    const std::uint8_t* page = ram.host_ptr(ram.base() + (index << machine::kPageShift), machine::kPageSize);
    if (!is_zero_page(page)) machine_->write_page(index, zeros);
  }
  mark_seen(run.first, run.count);
  progress_.zero_pages += run.count;
}

void CloneReceiver::apply(const DataPage& page) {
  if (page.index >= machine_->page_count())
    throw CloneError("page " + std::to_string(page.index) + " lies outside RAM (" +
                     std::to_string(machine_->page_count()) + " pages)");
  machine_->write_page(page.index, page.bytes);  // size checked by the decoder and again here
  mark_seen(page.index, 1);
  ++progress_.data_pages;
}

void CloneReceiver::mark_seen(std::uint64_t first, std::uint64_t count) {
  for (std::uint64_t i = first; i < first + count; ++i) {
    if (!seen_[i]) --unseen_;
    seen_[i] = 1;
  }
  progress_.pages += count;
  round_pages_ += count;
  if (final_round_) progress_.final_pages += count;
}

void CloneReceiver::on_round_end(const RoundEnd& end) {
  expect_round(end.round, "end");
  if (end.pages != round_pages_)
    throw CloneError("round " + std::to_string(end.round) + " carried " + std::to_string(round_pages_) +
                     " pages, the sender says " + std::to_string(end.pages));
  round_pages_ = 0;
  if (end.round == kFinalRound) {
    final_round_ = true;  // an empty final round has no pages message
    if (!final_started_) final_started_ = Clock::now();
  } else {
    if (round_ > 0) ++progress_.rounds;
    ++round_;
  }
  report();
}

void CloneReceiver::on_final(const Final& fin) {
  if (!final_round_ || round_pages_ != 0) throw CloneError("the machine state came before the final round ended");
  if (unseen_ != 0) {
    std::uint64_t first = 0;
    while (seen_[first]) ++first;
    throw CloneError(std::to_string(unseen_) + " RAM pages never arrived (the first is page " +
                     std::to_string(first) + ")");
  }
  replay::StateDigest theirs;
  if (!replay::StateDigest::from_words(fin.digest, theirs))
    throw CloneError("the state digest has " + std::to_string(fin.digest.size()) + " words");
  const Clock::time_point restore_started = Clock::now();
  try {
    machine_->restore_state(fin.state);  // also drops decoded code and TLBs
  } catch (const Error& e) {
    throw CloneError(std::string("the machine refused the source's state: ") + e.what());
  }
  if (machine_->instret() != fin.instret)
    throw CloneError("the state is at instret " + std::to_string(machine_->instret()) + ", the sender says " +
                     std::to_string(fin.instret));
  const Clock::time_point digest_started = Clock::now();
  progress_.restore = digest_started - restore_started;
  const replay::StateDigest ours = replay::digest(*machine_);
  progress_.digest = Clock::now() - digest_started;
  if (ours != theirs)
    throw CloneError("the clone does not verify at instret " + std::to_string(fin.instret) + ": " +
                     theirs.diff(ours, machine_->impl().ram().base(), config_.ram_size));
  if (ours.combined() != fin.state_hash) throw CloneError("the state hash does not match the sender's digest");
  verified_hash_ = fin.state_hash;
  progress_.state_hash = fin.state_hash;
  progress_.instret = fin.instret;
  progress_.state_bytes = fin.state.size();
  const Clock::time_point now = Clock::now();
  progress_.total = now - *started_;
  if (final_started_) progress_.pause = now - *final_started_;
  progress_.done = true;
  done_ = true;
  report();
}

Verdict CloneReceiver::verdict() const {
  Verdict v;
  v.ok = done_;
  if (done_) {
    v.instret = progress_.instret;
    v.state_hash = verified_hash_;
  } else {
    v.message = "the clone is not complete";
  }
  return v;
}

std::unique_ptr<machine::Machine> CloneReceiver::take_machine() {
  if (!done_) return nullptr;
  return std::move(machine_);
}

void CloneReceiver::report() const {
  if (on_progress_) on_progress_(progress_);
}

}  // namespace ftvm::clone
