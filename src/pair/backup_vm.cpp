#include "pair/backup_vm.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "clone/byte_stream.h"
#include "clone/clone_session.h"
#include "clone/tcp.h"
#include "ft/node_state.h"
#include "pair/backup_replica.h"
#include "pair/clone_preamble.h"
#include "pair/exit_codes.h"
#include "pair/live_backends.h"
#include "pair/live_loop.h"
#include "pair/mac_announcement.h"
#include "pair/machine_description.h"
#include "pair/pair_driver.h"
#include "pair/pair_setup.h"
#include "pair/status_line.h"

namespace ftvm::pair {

namespace {

void report(StatusLine& status, const PairDriver& driver, BackupReplica& replica) {
  StatusSample s;
  s.role = "backup";
  s.state = driver.snapshot().state;
  s.instret = replica.machine() ? replica.machine()->instret() : 0;
  s.log_bytes = replica.bytes_received();
  status.maybe_print(s);
}

// Refuses to go live on disks other than the ones the primary ran on.
void check_same_disks(const std::vector<host::OpenedDisk>& primary, const std::vector<host::OpenedDisk>& ours) {
  for (std::size_t i = 0; i < primary.size() && i < ours.size(); ++i) {
    if (primary[i].capacity != ours[i].capacity)
      throw Error("disk " + std::to_string(i) + " has " + std::to_string(ours[i].capacity) +
                  " bytes here but the primary's had " + std::to_string(primary[i].capacity) +
                  ": not the same disk, refusing to go live on it");
  }
}

void announce_macs(const machine::MachineConfig& mc, LiveBackends& backends) {
  std::size_t nic = 0;
  for (const auto& v : mc.virtio) {
    if (v.kind != machine::VirtioKind::kNet || nic >= backends.nics().size()) continue;
    net::MacAddress mac = net::MacAddress::from(v.mac);
    backends.nics()[nic++]->send(mac_announcement(mac));
    spdlog::info("ft: announced {} on the new port", mac.to_string());
  }
}

// Receives the machine from the primary as a live clone: the preamble names
// its disks, so our own config builds the same machine, and the clone is
// verified (state digest) before anything is acknowledged.
void receive_from_clone(const host::VmConfig& config, const PairOptions& options, BackupReplica& replica) {
  disk::UniqueFd fd = clone::connect_tcp(options.from_clone, options.connect_timeout);
  std::vector<host::OpenedDisk> disks = parse_machine_description(read_clone_preamble(fd.get(), options.connect_timeout));
  if (disks.size() != config.disks.size())
    throw Error(fmt::format("the primary runs {} disk(s), our config names {}", disks.size(), config.disks.size()));
  clone::FdStream stream(std::move(fd), options.connect_timeout);
  clone::CloneProgress progress;
  std::unique_ptr<machine::Machine> m = clone::receive_clone(
      host::build_machine_config(config, disks), stream, [&progress](const clone::CloneProgress& p) { progress = p; });
  // Where the time between the primary's pause and our verdict goes: the
  // final round's transfer, then restoring the state and hashing all of RAM.
  std::fprintf(stderr,
               "ftvm vm: backup received a verified clone at instret %llu, state digest %016llx (final round to "
               "verdict %.1f ms, of which restore %.1f ms and digest %.1f ms)\n",
               static_cast<unsigned long long>(m->instret()), static_cast<unsigned long long>(progress.state_hash),
               std::chrono::duration<double, std::milli>(progress.pause).count(),
               std::chrono::duration<double, std::milli>(progress.restore).count(),
               std::chrono::duration<double, std::milli>(progress.digest).count());
  std::fflush(stderr);
  replica.adopt(std::move(m), std::move(disks));
}

}  // namespace

BackupVm::BackupVm(const host::VmConfig& config, const PairOptions& options) : config_(config), options_(options) {}

int BackupVm::run() {
  BackupReplica replica(config_);
  // A cloning backup opens the log channel before the clone, so the primary
  // finds it ready at the clone's pause and resumes its guest at once; the
  // log it sends meanwhile waits in the socket until the clone is verified
  // here. Nothing is acked before that: the node that acks is built below.
  // (A backup told to --listen for its primary keeps the old order: its
  // peer connects when it is ready.)
  std::optional<LogChannel> early;
  if (!options_.from_clone.empty()) {
    if (!options_.peer.empty()) early = open_channel(options_);
    receive_from_clone(config_, options_, replica);
  }
  LogChannel channel = early ? std::move(*early) : open_channel(options_);
  StatusLine status(options_, channel.peer_name());
  spdlog::info("ft: backup of {}/{} connected to its primary at {}", options_.pair.vm_name,
               options_.pair.generation, channel.peer_name());
  ft::FtNode node(ft_config_from(options_), options_.pair, ft::InitialRole::kBackup);
  TasClaim tas(make_tas_client(options_), options_.host_id.empty() ? default_host_id() : options_.host_id);
  PairDriver driver(node, std::move(channel), tas, replica);
  driver.limit_tick_bursts(2);
  // Acks flow from the keeper while this thread builds the machine and
  // replays: a slow replay shows as lag (which throttles the primary), never
  // as silence.
  driver.start_keeper();

  for (;;) {
    std::vector<machine::Input> ignored;
    signals_.collect(ignored);  // notes a stop signal; yields no inputs
    if (signals_.stop_requested()) {
      std::fprintf(stderr, "ftvm vm: backup stopped\n");
      return 128 + signals_.signal_number();
    }
    if (replica.ended()) {
      driver.linger(std::chrono::seconds(2));
      std::fprintf(stderr,
                   "ftvm vm: backup: the guest powered off at instret %llu, state hash %016llx (%llu checkpoints "
                   "matched)\n",
                   static_cast<unsigned long long>(replica.machine()->instret()),
                   static_cast<unsigned long long>(replica.machine()->state_hash()),
                   static_cast<unsigned long long>(replica.checkpoints_matched()));
      return replica.machine()->exit_code();
    }
    driver.service();
    if (replica.fatal()) {
      std::fprintf(stderr, "ftvm vm: backup: %s\n", replica.fatal()->c_str());
      return replica.diverged() ? kExitDiverged : kExitBadSetup;
    }
    if (replica.halt_reason()) {
      std::fprintf(stderr, "ftvm vm: backup halted: %s\n", replica.halt_reason()->c_str());
      return kExitHalted;
    }
    if (replica.live()) {
      // Live alone from here: nothing more to hear from or tell the old
      // primary, which has lost test-and-set.
      driver.stop_keeper();
      driver.close_channel("running alone");
      return go_live(replica);
    }
    if (replica.has_pending()) {
      replica.execute(driver, std::chrono::milliseconds(5));
    } else {
      driver.wait(kTickPeriod);
    }
    report(status, driver, replica);
  }
}

int BackupVm::go_live(BackupReplica& replica) {
  machine::Machine* m = replica.machine();
  if (!m) {
    std::fprintf(stderr, "ftvm vm: backup won test-and-set before the primary sent its log header: there is no VM "
                         "state to take over\n");
    return kExitBadSetup;
  }
  m->take_outputs();  // the replay's outputs were the primary's to release
  LiveBackends backends(config_);
  check_same_disks(replica.disks(), backends.opened_disks());
  std::fprintf(stderr, "ftvm vm: backup is live at instret %llu (%llu checkpoints matched)\n",
               static_cast<unsigned long long>(m->instret()),
               static_cast<unsigned long long>(replica.checkpoints_matched()));
  std::fflush(stderr);

  // Requests the old primary issued may never have been carried out.
  m->reissue_in_flight();
  announce_macs(m->config(), backends);
  // Live alone from here, and protected again when spare agents are given.
  LiveLoop loop(*m, backends, signals_, options_, "backup");
  return loop.run(std::nullopt);
}

}  // namespace ftvm::pair
