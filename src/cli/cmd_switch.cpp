// `ftvm switch`: the virtual Ethernet switch VMs plug into, with a slirp
// gateway (10.0.2.2, DHCP from 10.0.2.15) that forwards host ports into the
// guest network. Runs until SIGINT/SIGTERM.
#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "host/stop_signals.h"
#include "net/switch_server.h"

namespace ftvm::cli {

namespace {

struct SwitchFlags {
  std::string socket;
  std::vector<std::string> forwards;
  bool no_gateway = false;
  bool trace_frames = false;
};

int run_switch(const SwitchFlags& flags) {
  host::StopSignals signals;
  net::SwitchOptions options;
  options.socket_path = flags.socket;
  options.gateway = !flags.no_gateway;
  options.trace_frames = flags.trace_frames;
  for (const auto& f : flags.forwards) options.gateway_config.forwards.push_back(net::PortForward::parse(f));
  net::SwitchServer server(options);
  spdlog::info("switch listening on {}{}", flags.socket, options.gateway ? " (gateway 10.0.2.2)" : "");
  for (const auto& f : options.gateway_config.forwards) spdlog::info("forwarding {}", f.to_string());
  std::vector<machine::Input> unused;
  server.run(signals.wake_fd());
  signals.collect(unused);
  spdlog::info("switch stopping (signal {})", signals.signal_number());
  return 0;
}

}  // namespace

void add_switch_command(CLI::App& app) {
  auto f = std::make_shared<SwitchFlags>();
  CLI::App* cmd = app.add_subcommand("switch", "Run the virtual Ethernet switch with its slirp gateway");
  cmd->add_option("--socket", f->socket, "Unix socket path VMs connect to")->required();
  cmd->add_option("--forward", f->forwards, "Host port forward, e.g. tcp:127.0.0.1:6379-10.0.2.15:6379 (repeatable)");
  cmd->add_flag("--no-gateway", f->no_gateway, "A plain switch without the slirp gateway port");
  cmd->add_flag("--trace-frames", f->trace_frames, "Log every frame the switch forwards (debugging)");
  cmd->callback([f] {
    if (!f->no_gateway || f->forwards.empty()) throw CLI::RuntimeError(run_switch(*f));
    throw CLI::ValidationError("--forward", "port forwards need the gateway (drop --no-gateway)");
  });
}

}  // namespace ftvm::cli
