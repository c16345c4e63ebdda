#pragma once
// A TCP relay for the clone hand-over tests: it takes one connection on its
// own port (a backup connecting for its clone or its log channel), connects
// on to the real address (the primary's), and copies bytes both ways, each
// way through a hook that may change, delay or just count them. It lets a
// test stand between a real primary and a real backup without either
// knowing.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "clone/tcp.h"
#include "disk/unique_fd.h"

namespace ftvm::pairtest {

class Relay {
 public:
  // Gets the bytes that arrived one way and returns what to pass on.
  using Hook = std::function<std::vector<std::uint8_t>(std::span<const std::uint8_t>)>;

  // `target`: HOST:PORT to connect on to. `to_client`: bytes from the
  // target (the primary); `to_target`: bytes from the client (the backup).
  Relay(std::string target, Hook to_client, Hook to_target)
      : target_(std::move(target)),
        to_client_(std::move(to_client)),
        to_target_(std::move(to_target)),
        listener_("127.0.0.1:0") {
    thread_ = std::thread([this] { run(); });
  }
  ~Relay() {
    stop_ = true;
    thread_.join();
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(listener_.port()); }

 private:
  static bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Copies one read from `from` through `hook` to `to`; false once either
  // side is gone.
  static bool pass(int from, int to, const Hook& hook) {
    std::vector<std::uint8_t> buffer(1 << 16);
    ssize_t n = ::read(from, buffer.data(), buffer.size());
    if (n <= 0) return false;
    return write_all(to, hook({buffer.data(), static_cast<std::size_t>(n)}));
  }

  void run() {
    disk::UniqueFd client;
    while (!stop_ && !client.valid()) client = listener_.accept(std::chrono::milliseconds(50));
    if (!client.valid()) return;
    disk::UniqueFd target;
    try {
      target = clone::connect_tcp(target_, std::chrono::seconds(5));
    } catch (const std::exception&) {
      return;
    }
    while (!stop_) {
      pollfd p[2] = {{client.get(), POLLIN, 0}, {target.get(), POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[1].revents && !pass(target.get(), client.get(), to_client_)) return;
      if (p[0].revents && !pass(client.get(), target.get(), to_target_)) return;
    }
  }

  std::string target_;
  Hook to_client_, to_target_;
  clone::TcpListener listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ftvm::pairtest
