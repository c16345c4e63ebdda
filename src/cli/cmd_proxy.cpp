// `ftvm proxy`: a TCP proxy that tests (or a person with `nc`) can tell to
// cut, heal, freeze or thaw the connections through it, so the FT logging
// channel can be broken while both VMs stay up, with no root needed.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "net/fault_proxy.h"

namespace ftvm::cli {

namespace {

struct ProxyOptions {
  std::string listen;
  std::string to;
  std::string control = "127.0.0.1:0";
  bool verbose = false;
};

// SIGINT and SIGTERM, blocked in the calling thread (and so in every thread
// it starts afterwards) so that sigwait() on the main thread receives them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int run_proxy(const ProxyOptions& opt) {
  if (opt.verbose) spdlog::set_level(spdlog::level::debug);
  net::FaultProxyConfig config;
  config.listen = net::parse_endpoint(opt.listen);
  config.target = net::parse_endpoint(opt.to);
  config.control = net::parse_endpoint(opt.control);
  // Before the proxy's thread exists, so it inherits the mask.
  sigset_t stop_signals = block_stop_signals();
  net::FaultProxy proxy(config);
  // One parseable line, so scripts that asked for port 0 learn the ports.
  std::printf("ftvm proxy: listening on %s:%u, forwarding to %s, control on %s:%u\n", config.listen.host.c_str(),
              proxy.listen_port(), config.target.to_string().c_str(), config.control.host.c_str(),
              proxy.control_port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  return 0;  // the proxy resets its connections and closes its sockets
}

}  // namespace

void add_proxy_command(CLI::App& app) {
  auto opt = std::make_shared<ProxyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "proxy",
      "TCP proxy that injects faults on command: send 'cut', 'heal', 'freeze', 'thaw' or 'status' lines to --control");
  cmd->add_option("--listen", opt->listen, "Address clients connect to (host:port, port 0 = any)")->required();
  cmd->add_option("--to", opt->to, "Address connections are forwarded to (host:port)")->required();
  cmd->add_option("--control", opt->control, "Address of the line-based control socket (host:port, port 0 = any)")
      ->capture_default_str();
  cmd->add_flag("-v,--verbose", opt->verbose, "Log every connection and command");
  cmd->callback([opt] { throw CLI::RuntimeError(run_proxy(*opt)); });
}

}  // namespace ftvm::cli
