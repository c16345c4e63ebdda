// `ftvm protect VM --to AGENT`: turns fault tolerance on for a VM that runs
// alone, on request. VM is the VM's control socket (`ftvm vm --control`) or
// its status file (the socket is then found next to it). The VM asks the
// agent for a backup, clones itself to it while the guest runs and pairs up
// as the next generation; this command prints the progress the VM reports.
// Exit status: 0 protected; 1 refused or failed; 2 bad arguments or no VM.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "pair/control_client.h"
#include "pair/control_path.h"

namespace ftvm::cli {

namespace {

struct ProtectFlags {
  std::string vm;
  std::string agent;
  std::int64_t timeout_ms = 120000;
};

// Prints one answer of the VM; sets `result` once it is final.
bool show_answer(const std::string& line, int& result) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::fprintf(stderr, "ftvm protect: unreadable answer from the VM: %s\n", line.c_str());
    result = 1;
    return false;
  }
  const std::string error = j.value("error", std::string("no reason given"));
  if (j.contains("accepted")) {
    if (!j.value("accepted", false)) {
      std::fprintf(stderr, "ftvm protect: refused: %s\n", error.c_str());
      result = 1;
      return false;
    }
    std::printf("ftvm protect: accepted; the VM is cloning itself to a backup from %s\n",
                j.value("agent", std::string("?")).c_str());
    std::fflush(stdout);
    return true;
  }
  if (j.value("protected", false)) {
    std::printf("ftvm protect: protected as generation %llu (the guest was stopped %.1f ms)\n",
                static_cast<unsigned long long>(j.value("generation", std::uint64_t{0})), j.value("stopped_ms", 0.0));
    result = 0;
  } else {
    std::fprintf(stderr, "ftvm protect: failed: %s (the VM still runs alone)\n", error.c_str());
    result = 1;
  }
  return false;
}

int run_protect(const ProtectFlags& f) {
  const std::string socket = pair::resolve_control_target(f.vm);
  int result = -1;
  pair::control_exchange(socket, nlohmann::json{{"protect", f.agent}}.dump(), std::chrono::milliseconds(f.timeout_ms),
                         [&](const std::string& line) { return show_answer(line, result); });
  if (result < 0) {
    std::fprintf(stderr, "ftvm protect: the VM closed the connection without an outcome\n");
    return 1;
  }
  return result;
}

}  // namespace

void add_protect_command(CLI::App& app) {
  auto f = std::make_shared<ProtectFlags>();
  CLI::App* cmd = app.add_subcommand("protect", "Turn fault tolerance on for a VM running alone, with a backup "
                                                "from a host agent");
  cmd->add_option("vm", f->vm, "The VM's control socket, or its status file (socket next to it)")->required();
  cmd->add_option("--to", f->agent, "Host agent HOST:PORT to start the backup")->required();
  cmd->add_option("--timeout-ms", f->timeout_ms, "Longest wait for each answer of the VM (the clone takes a while)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([f] { throw CLI::RuntimeError(run_protect(*f)); });
}

}  // namespace ftvm::cli
