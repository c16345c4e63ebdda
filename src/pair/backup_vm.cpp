#include "pair/backup_vm.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "ft/node_state.h"
#include "host/console_input.h"
#include "host/entropy_source.h"
#include "host/event_waiter.h"
#include "host/guest_timebase.h"
#include "host/host_output_dispatcher.h"
#include "host/input_port.h"
#include "host/live_runner.h"
#include "host/runnable_machine.h"
#include "pair/backup_replica.h"
#include "pair/exit_codes.h"
#include "pair/live_backends.h"
#include "pair/mac_announcement.h"
#include "pair/pair_driver.h"
#include "pair/pair_setup.h"
#include "pair/resumed_clock.h"
#include "pair/status_line.h"

namespace ftvm::pair {

namespace {

void report(StatusLine& status, const PairDriver& driver, BackupReplica& replica) {
  StatusSample s;
  s.role = "backup";
  s.state = driver.node().state();
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

}  // namespace

BackupVm::BackupVm(const host::VmConfig& config, const PairOptions& options) : config_(config), options_(options) {}

int BackupVm::run() {
  LogChannel channel = open_channel(options_);
  spdlog::info("ft: backup of {}/{} connected to its primary at {}", options_.pair.vm_name,
               options_.pair.generation, channel.peer_name());
  ft::FtNode node(ft_config_from(options_), options_.pair, ft::InitialRole::kBackup);
  TasClaim tas(make_tas_client(options_), options_.host_id.empty() ? default_host_id() : options_.host_id);
  BackupReplica replica(config_);
  PairDriver driver(node, std::move(channel), tas, replica);
  driver.limit_tick_bursts(2);
  StatusLine status(options_.status);

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
    if (replica.live()) return go_live(replica);
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

  host::MachineAdapter machine(*m);
  host::MachineInputPort inputs(machine);
  host::EntropySource entropy;
  host::HostOutputDispatcher dispatcher(STDOUT_FILENO, entropy);
  host::ConsoleInput console(STDIN_FILENO);
  std::vector<host::InputSource*> sources{&signals_, &console, &entropy};
  backends.attach(dispatcher, sources);
  // Requests the old primary issued may never have been carried out.
  m->reissue_in_flight();
  announce_macs(m->config(), backends);

  ResumedClock clock;
  host::GuestTimebase timebase(clock, m->config().timebase_hz);
  clock.resume_from(host::GuestTimebase::ticks_to_ns_ceil(m->mtime(), m->config().timebase_hz));
  host::PollWaiter waiter;
  host::LiveRunner runner(machine, inputs, dispatcher, timebase, waiter, std::move(sources));
  host::RunResult result = runner.run();
  std::fflush(stdout);
  switch (result.end) {
    case host::RunEnd::kPowerOff: return result.exit_code;
    case host::RunEnd::kReset: std::fprintf(stderr, "ftvm vm: the guest asked for a reset; stopping\n"); return kExitReset;
    case host::RunEnd::kStopped:
      std::fprintf(stderr, "ftvm vm: stopped\n");
      return signals_.signal_number() != 0 ? 128 + signals_.signal_number() : result.exit_code;
  }
  return 1;
}

}  // namespace ftvm::pair
