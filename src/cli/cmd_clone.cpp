// `ftvm clone send|recv`: a live clone of a machine from one process to
// another over TCP, as a debugging tool for the clone protocol. Both sides
// build the same machine from the same VM flags (no disks or NICs: the
// pair wires real backends); the sender runs it for a while, clones it while
// it keeps running, and both then run it the same number of instructions
// under the same deterministic host and print "instret N state HASH" on
// stdout: equal lines mean an exact clone.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/vm_flags.h"
#include "clone/byte_stream.h"
#include "clone/clone_session.h"
#include "clone/tcp.h"
#include "host/machine_config_builder.h"
#include "machine/core/error.h"
#include "machine/platform/machine.h"

namespace ftvm::cli {

namespace {

struct CloneFlags {
  VmFlags vm;
  std::string address;
  std::uint64_t warmup = 5'000'000;  // instructions before the clone starts (sender)
  std::uint64_t slice = 100'000;     // instructions between clone steps (sender)
  std::uint64_t after = 1'000'000;   // instructions both run after the clone
  std::uint64_t final_pages = 64;
  unsigned max_rounds = 16;
  std::int64_t timeout_ms = 30'000;
};

machine::MachineConfig machine_config(const VmFlags& flags) {
  host::VmConfig cfg = merged_config(flags);
  if (!cfg.disks.empty() || !cfg.nets.empty())
    throw Error("ftvm clone is a protocol debugging tool: give a VM without disks or NICs");
  return host::build_machine_config(cfg, {});
}

// A host that is a function of the machine's state only, so the source and
// its clone get the same inputs: time jumps to the timer when the guest
// idles, entropy is derived from the request tag, output is dropped.
void run_slice(machine::Machine& m, std::uint64_t instructions) {
  using machine::InputKind;
  const machine::Instret limit = m.instret() + instructions;
  while (m.instret() < limit) {
    machine::StopReason why = m.run_until(limit);
    for (machine::Output& o : m.take_outputs())
      if (o.kind == machine::OutputKind::kEntropyRequest)
        m.apply({InputKind::kCompletion, o.device, o.tag, 0,
                 std::vector<std::uint8_t>(o.length, static_cast<std::uint8_t>(o.tag * 13))});
    if (why == machine::StopReason::kPowerOff) return;
    if (why == machine::StopReason::kIdle) {
      if (m.next_timer_deadline() == UINT64_MAX) return;  // asleep for good
      m.apply({InputKind::kTime, 0, m.next_timer_deadline(), 0, {}});
    }
  }
}

void print_progress(const char* side, const clone::CloneProgress& p) {
  auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::fprintf(stderr,
               "clone %s: rounds %u, pages %llu (data %llu, zero %llu, final %llu), %llu bytes, pause %.1f ms, "
               "total %.1f ms%s\n",
               side, p.rounds, static_cast<unsigned long long>(p.pages), static_cast<unsigned long long>(p.data_pages),
               static_cast<unsigned long long>(p.zero_pages), static_cast<unsigned long long>(p.final_pages),
               static_cast<unsigned long long>(p.bytes), ms(p.pause), ms(p.total), p.done ? ", done" : "");
}

void finish(machine::Machine& m, std::uint64_t after) {
  run_slice(m, after);
  std::printf("instret %llu state %016llx\n", static_cast<unsigned long long>(m.instret()),
              static_cast<unsigned long long>(m.state_hash()));
}

int send(const CloneFlags& f) {
  machine::Machine source(machine_config(f.vm));
  run_slice(source, f.warmup);
  clone::FdStream stream(clone::connect_tcp(f.address, std::chrono::milliseconds(f.timeout_ms)),
                         std::chrono::milliseconds(f.timeout_ms));
  clone::ClonePolicy policy;
  policy.final_round_pages = f.final_pages;
  policy.max_rounds = f.max_rounds;
  clone::CloneProgress p = clone::send_clone(
      source, stream, [&f](machine::Machine& m) { run_slice(m, f.slice); }, policy);
  print_progress("sent", p);
  std::fprintf(stderr, "clone sent at instret %llu\n", static_cast<unsigned long long>(p.instret));
  finish(source, f.after);
  return 0;
}

int receive(const CloneFlags& f) {
  const machine::MachineConfig config = machine_config(f.vm);
  clone::TcpListener listener(f.address);
  std::fprintf(stderr, "clone recv: listening on port %u\n", static_cast<unsigned>(listener.port()));
  disk::UniqueFd socket = listener.accept(std::chrono::milliseconds(f.timeout_ms));
  if (!socket.valid()) throw Error("no sender connected to " + f.address);
  clone::FdStream stream(std::move(socket), std::chrono::milliseconds(f.timeout_ms));
  std::unique_ptr<machine::Machine> m = clone::receive_clone(config, stream);
  std::fprintf(stderr, "clone received at instret %llu\n", static_cast<unsigned long long>(m->instret()));
  finish(*m, f.after);
  return 0;
}

void add_common(CLI::App& cmd, CloneFlags& f) {
  add_vm_flags(cmd, f.vm);
  cmd.add_option("--after", f.after, "Instructions to run after the clone before printing the state")
      ->capture_default_str();
  cmd.add_option("--timeout-ms", f.timeout_ms, "Longest wait for the peer")->capture_default_str();
}

}  // namespace

void add_clone_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("clone", "Live-clone a machine to another process over TCP (debugging tool)");
  cmd->require_subcommand(1);

  auto sf = std::make_shared<CloneFlags>();
  CLI::App* s = cmd->add_subcommand("send", "Boot a machine, run it, and clone it to a receiver while it runs");
  s->add_option("--to", sf->address, "The receiver's HOST:PORT")->required();
  s->add_option("--warmup", sf->warmup, "Instructions to run before cloning")->capture_default_str();
  s->add_option("--slice", sf->slice, "Instructions run between clone steps")->capture_default_str();
  s->add_option("--final-pages", sf->final_pages, "Pause once a round leaves at most this many dirty pages")
      ->capture_default_str();
  s->add_option("--max-rounds", sf->max_rounds, "Re-copy rounds at most")->capture_default_str();
  add_common(*s, *sf);
  s->callback([sf] { throw CLI::RuntimeError(send(*sf)); });

  auto rf = std::make_shared<CloneFlags>();
  CLI::App* r = cmd->add_subcommand("recv", "Receive a clone and run it");
  r->add_option("--listen", rf->address, "HOST:PORT to wait on (port 0: any, printed on stderr)")->required();
  add_common(*r, *rf);
  r->callback([rf] { throw CLI::RuntimeError(receive(*rf)); });
}

}  // namespace ftvm::cli
