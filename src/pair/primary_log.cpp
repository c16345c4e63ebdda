#include "pair/primary_log.h"

namespace ftvm::pair {

PrimaryLog::PrimaryLog(machine::Machine& m, const replay::LogHeader& header, std::uint64_t checkpoint_interval)
    : m_(m), encoder_(header), recorder_(m, *this, checkpoint_interval), executed_instret_(m.instret()) {}

void PrimaryLog::append(const replay::LogEntry& entry) {
  if (active_) encoder_.append(entry);
}

void PrimaryLog::input(const machine::Input& in) {
  if (active_) recorder_.input(in);
}

void PrimaryLog::after_slice() {
  if (active_) recorder_.after_slice();
}

void PrimaryLog::finish() {
  if (!active_) return;
  recorder_.finish();
  // The end marker is the sink's to write: it tells the backup the run
  // ended on purpose, so the primary hanging up afterwards is no failure.
  encoder_.append(replay::LogEntry::end(m_.instret()));
}

void PrimaryLog::publish(PairDriver& driver) {
  if (!active_) return;
  encoder_.flush();
  std::vector<std::uint8_t> bytes = encoder_.take_bytes();
  if (bytes.empty()) return;
  bytes_logged_ += bytes.size();
  ft::LogEntry entry{next_seq_++, std::move(bytes)};
  cut_at_.emplace_back(entry.seq, m_.instret());
  driver.step(ft::AppendEvent{{std::move(entry)}});
}

std::uint64_t PrimaryLog::lag_instructions(ft::LogPosition backup_executed) {
  while (!cut_at_.empty() && cut_at_.front().first <= backup_executed) {
    executed_instret_ = cut_at_.front().second;
    cut_at_.pop_front();
  }
  return m_.instret() - executed_instret_;
}

}  // namespace ftvm::pair
