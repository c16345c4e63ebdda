#include "pair/backup_replica.h"

#include <fmt/format.h>

#include "host/machine_config_builder.h"
#include "pair/machine_description.h"
#include "replay/state_digest.h"

namespace ftvm::pair {

BackupReplica::BackupReplica(const host::VmConfig& config) : config_(config) {}

void BackupReplica::deliver(const ft::LogEntry& entry) {
  if (fatal_) return;
  bytes_received_ += entry.payload.size();
  decoder_.feed(entry.payload);
  try {
    if (!header_checked_ && decoder_.header()) check_header(*decoder_.header());
    decode_available();
  } catch (const Error& e) {
    fatal_ = e.what();
    return;
  }
  pending_.push_back({std::nullopt, entry.seq});
}

void BackupReplica::adopt(std::unique_ptr<machine::Machine> machine, std::vector<host::OpenedDisk> disks) {
  machine_ = std::move(machine);
  disks_ = std::move(disks);
  replayer_ = std::make_unique<replay::Replayer>(*machine_, [](const machine::Output&) {});
}

void BackupReplica::check_header(const replay::LogHeader& header) {
  header_checked_ = true;
  if (!machine_) return build_machine(header);
  std::uint64_t ours = replay::config_hash(machine_->config());
  if (ours != header.config_hash)
    throw Error(fmt::format("the primary's log is for another machine than the clone (config hash {:016x}, the "
                            "clone's {:016x})",
                            header.config_hash, ours));
}

void BackupReplica::build_machine(const replay::LogHeader& header) {
  disks_ = parse_machine_description(header.creation_info);
  if (disks_.size() != config_.disks.size())
    throw Error(fmt::format("the primary runs {} disk(s), our config names {}", disks_.size(), config_.disks.size()));
  machine::MachineConfig mc = host::build_machine_config(config_, disks_);
  std::uint64_t ours = replay::config_hash(mc);
  if (ours != header.config_hash)
    throw Error(fmt::format("the primary's machine differs from ours (config hash {:016x}, ours {:016x}): both "
                            "sides need the same vm.toml and the same images",
                            header.config_hash, ours));
  machine_ = std::make_unique<machine::Machine>(mc);
  // Muted devices: the primary already sent, wrote and printed all of it.
  replayer_ = std::make_unique<replay::Replayer>(*machine_, [](const machine::Output&) {});
}

void BackupReplica::decode_available() {
  while (auto e = decoder_.next()) {
    if (!replayer_) throw Error("the log has entries before its header");
    pending_.push_back({std::move(*e), 0});
  }
}

void BackupReplica::execute(PairDriver& driver, std::chrono::milliseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (!pending_.empty() && !fatal_) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (!p.entry) {
      driver.step(ft::ExecutedEvent{p.executed_through});
    } else {
      try {
        replayer_->step(*p.entry);
      } catch (const replay::Divergence& d) {
        diverged_ = true;
        fatal_ = std::string("replay diverged from the primary: ") + d.what();
      } catch (const Error& e) {
        fatal_ = std::string("cannot replay the primary's log: ") + e.what();
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return;
  }
}

}  // namespace ftvm::pair
