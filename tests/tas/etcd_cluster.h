#pragma once
// Starts a real etcd cluster (Debian's etcd-server) on loopback for a test,
// one process per member, and kills them all when it goes away.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tas/etcd_client.h"

namespace ftvm::tas::testing {

inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class EtcdCluster {
 public:
  explicit EtcdCluster(int members) {
    char tmpl[] = "/tmp/ftvm-etcd-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string initial;
    for (int i = 0; i < members; ++i) {
      client_ports_.push_back(free_port());
      peer_ports_.push_back(free_port());
      initial += (i ? "," : "") + name(i) + "=http://127.0.0.1:" + std::to_string(peer_ports_[i]);
    }
    for (int i = 0; i < members; ++i) pids_.push_back(start(i, initial));
  }
  ~EtcdCluster() {
    for (std::size_t i = 0; i < pids_.size(); ++i) kill_member(i);
    std::filesystem::remove_all(dir_);
  }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> e;
    for (auto p : client_ports_) e.push_back("127.0.0.1:" + std::to_string(p));
    return e;
  }
  void kill_member(std::size_t i) {
    if (pids_[i] > 0) {
      ::kill(pids_[i], SIGKILL);
      ::waitpid(pids_[i], nullptr, 0);
      pids_[i] = -1;
    }
  }
  // Waits until a transaction on a scratch key succeeds (the cluster has a leader).
  bool wait_ready(std::chrono::seconds limit) {
    EtcdClient c(endpoints(), "/ftvm-ready/", std::chrono::milliseconds(1000));
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (c.test_and_set("probe", "me").outcome == Outcome::kWon) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

 private:
  static std::string name(int i) { return "m" + std::to_string(i); }
  pid_t start(int i, const std::string& initial) {
    std::string data = (dir_ / name(i)).string();
    std::string client = "http://127.0.0.1:" + std::to_string(client_ports_[i]);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_ports_[i]);
    std::vector<std::string> args = {"etcd", "--name", name(i), "--data-dir", data,
                                     "--listen-client-urls", client, "--advertise-client-urls", client,
                                     "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                     "--initial-cluster", initial, "--initial-cluster-state", "new",
                                     "--initial-cluster-token", "ftvm-test", "--log-level", "error",
                                     "--heartbeat-interval", "50", "--election-timeout", "500"};
    pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execvp("etcd", argv.data());
      ::_exit(127);
    }
    return pid;
  }

  std::filesystem::path dir_;
  std::vector<std::uint16_t> client_ports_, peer_ports_;
  std::vector<pid_t> pids_;
};

}  // namespace ftvm::tas::testing
