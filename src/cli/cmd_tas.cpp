// `ftvm tas serve`: the built-in single-node test-and-set service.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "tas/decision_store.h"
#include "machine/core/error.h"
#include "tas/server.h"

namespace ftvm::cli {

namespace {

struct TasServeOptions {
  std::string listen = "127.0.0.1:7700";
  std::string journal = "tas.journal";
};

int serve(const TasServeOptions& opt) {
  auto colon = opt.listen.rfind(':');
  if (colon == std::string::npos) throw Error("--listen must be host:port");
  int port = std::stoi(opt.listen.substr(colon + 1));
  tas::DecisionStore store(opt.journal);
  tas::Server server(store, opt.listen.substr(0, colon), static_cast<std::uint16_t>(port));
  // Stop cleanly on SIGINT/SIGTERM: a thread waits for the signal.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
  });
  std::printf("ftvm tas: serving on %s:%u, journal %s\n", opt.listen.substr(0, colon).c_str(), server.port(),
              opt.journal.c_str());
  std::fflush(stdout);
  server.run();
  waiter.join();
  return 0;
}

}  // namespace

void add_tas_command(CLI::App& app) {
  CLI::App* tas = app.add_subcommand("tas", "Test-and-set service that decides which side of a pair may go live");
  tas->require_subcommand(1);
  auto opt = std::make_shared<TasServeOptions>();
  CLI::App* s = tas->add_subcommand("serve", "Run the built-in single-node test-and-set server");
  s->add_option("--listen", opt->listen, "Address to listen on (host:port)")->capture_default_str();
  s->add_option("--journal", opt->journal, "File where every decision is persisted (fsync'ed)")->capture_default_str();
  s->callback([opt] { throw CLI::RuntimeError(serve(*opt)); });
}

}  // namespace ftvm::cli
