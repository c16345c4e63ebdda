#pragma once
// The built-in test-and-set server in-process, on a loopback port: the
// baseline the etcd failover time is compared with.
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "tas/decision_store.h"
#include "tas/server.h"

namespace ftvm::pairetcd {

class BuiltinTas {
 public:
  explicit BuiltinTas(const std::filesystem::path& journal)
      : store_(journal.string()), server_(store_, "127.0.0.1", 0), thread_([this] { server_.run(); }) {}
  ~BuiltinTas() {
    server_.stop();
    thread_.join();
  }
  BuiltinTas(const BuiltinTas&) = delete;
  BuiltinTas& operator=(const BuiltinTas&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }

 private:
  tas::DecisionStore store_;
  tas::Server server_;
  std::thread thread_;
};

}  // namespace ftvm::pairetcd
