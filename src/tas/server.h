#pragma once
// `ftvm tas serve`: a single-node test-and-set server. One thread, poll(2)
// over the listening socket and its clients; every decision is durable
// (DecisionStore fsyncs) before its answer is written.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tas/decision_store.h"

namespace ftvm::tas {

class Server {
 public:
  // Listens on host:port (port 0 picks one; see port()). Throws ftvm::Error.
  Server(DecisionStore& store, const std::string& host, std::uint16_t port);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const { return port_; }
  // Serves until stop() is called (from any thread or a signal handler).
  void run();
  void stop();

 private:
  struct Client {
    int fd;
    std::string in;
  };
  void accept_clients();
  bool serve_client(Client& c);  // false: close it
  std::string answer(const std::string& line);

  DecisionStore& store_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop() wakes poll
  std::uint16_t port_ = 0;
  std::vector<Client> clients_;
  std::atomic<bool> stopping_{false};
};

}  // namespace ftvm::tas
