// `ftvm host serve`: the host agent. It starts backup VMs (`ftvm vm --role
// backup ...`) on request, reports their pids, lists and stops them, and
// reaps them; it runs nothing but the ftvm it was given (agent/agent_request.h
// has the protocol). It ends on SIGINT/SIGTERM, stopping its children.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <string>

#include "agent/agent_server.h"
#include "agent/host_agent.h"
#include "cli/commands.h"
#include "clone/tcp.h"
#include "host/stop_signals.h"

namespace ftvm::cli {

namespace {

struct HostFlags {
  std::string listen;
  std::string ftvm;
  std::string state_dir;
};

int serve(const HostFlags& f) {
  host::StopSignals signals;  // before any child: children get the mask reset
  std::string program = f.ftvm.empty() ? std::filesystem::read_symlink("/proc/self/exe").string() : f.ftvm;
  std::filesystem::path state = f.state_dir.empty() ? std::filesystem::temp_directory_path() / "ftvm-host"
                                                    : std::filesystem::path(f.state_dir);
  agent::HostAgent agent(std::filesystem::absolute(program).string(), state);
  clone::TcpListener listener(f.listen);
  spdlog::info("ftvm host agent on port {}, starting {} (state in {})", listener.port(), program, state.string());
  agent::AgentServer server(std::move(listener), agent);
  std::vector<machine::Input> ignored;
  server.run(
      [&] {
        signals.collect(ignored);
        return signals.stop_requested();
      },
      signals.wake_fd());
  spdlog::info("ftvm host agent stopping ({} children running)", agent.running_children());
  return 0;
}

}  // namespace

void add_host_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("host", "Host agent: starts and supervises backup VMs on request");
  cmd->require_subcommand(1);
  auto f = std::make_shared<HostFlags>();
  CLI::App* s = cmd->add_subcommand("serve", "Serve the agent's line protocol (JSON per line) on TCP");
  s->add_option("--listen", f->listen, "HOST:PORT to serve on")->required();
  s->add_option("--ftvm", f->ftvm, "The ftvm binary children run (default: this one)");
  s->add_option("--state-dir", f->state_dir, "Where child logs and inline configs go (default /tmp/ftvm-host)");
  s->callback([f] { throw CLI::RuntimeError(serve(*f)); });
}

}  // namespace ftvm::cli
