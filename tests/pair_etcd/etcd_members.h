#pragma once
// A real etcd cluster on loopback whose members a test can kill and bring
// back: each member is one `etcd` process with its own data directory, so a
// restarted member rejoins with its old identity and log (etcd ignores the
// --initial-cluster flags once a data directory exists). The test also asks
// the cluster who leads and what a key holds, through etcd's JSON gateway.
// Every member still running is killed and reaped when the object goes away.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tas/etcd_client.h"
#include "tas/tcp_exchange.h"

namespace ftvm::pairetcd {

// A loopback port nobody listens on right now (the kernel picks it).
inline std::uint16_t unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(a.sin_port);
}

// POSTs a JSON body to one member's gateway; the parsed answer, or nullopt
// when the member did not answer 200 in time.
inline std::optional<nlohmann::json> etcd_post(const std::string& endpoint, const std::string& path,
                                               const nlohmann::json& body, std::chrono::milliseconds timeout) {
  auto hp = tas::split_host_port(endpoint);
  if (!hp) return std::nullopt;
  std::string text = body.dump();
  std::string request = "POST " + path + " HTTP/1.0\r\nHost: " + endpoint +
                        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) +
                        "\r\n\r\n" + text;
  auto ex = tas::tcp_exchange(hp->first, hp->second, request, timeout, 1 << 20,
                              [](const std::string&) { return false; });
  const std::string& http = ex.answer;
  auto header_end = http.find("\r\n\r\n");
  if (http.rfind("HTTP/1.", 0) != 0 || http.size() < 12 || http.compare(9, 3, "200") != 0 ||
      header_end == std::string::npos)
    return std::nullopt;
  auto j = nlohmann::json::parse(http.substr(header_end + 4), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// etcd's gateway writes 64-bit ids as JSON strings; accept numbers too.
inline std::string id_text(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains(field)) return {};
  const auto& v = object[field];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

class EtcdMembers {
 public:
  explicit EtcdMembers(int members) {
    char tmpl[] = "/tmp/ftvm-pair-etcd-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    for (int i = 0; i < members; ++i) {
      client_ports_.push_back(unused_loopback_port());
      peer_ports_.push_back(unused_loopback_port());
      initial_cluster_ += (i ? "," : "") + member_name(i) + "=" + peer_url(i);
    }
    pids_.assign(members, -1);
    for (int i = 0; i < members; ++i) start(i);
  }
  ~EtcdMembers() {
    for (std::size_t i = 0; i < pids_.size(); ++i) kill(i);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  EtcdMembers(const EtcdMembers&) = delete;
  EtcdMembers& operator=(const EtcdMembers&) = delete;

  std::size_t size() const { return pids_.size(); }
  std::string endpoint(std::size_t i) const { return "127.0.0.1:" + std::to_string(client_ports_[i]); }
  // "host:port,host:port,..." for --tas-etcd.
  std::string endpoint_list() const {
    std::string all;
    for (std::size_t i = 0; i < size(); ++i) all += (i ? "," : "") + endpoint(i);
    return all;
  }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> all;
    for (std::size_t i = 0; i < size(); ++i) all.push_back(endpoint(i));
    return all;
  }
  bool running(std::size_t i) const { return pids_[i] > 0; }

  void kill(std::size_t i) {
    if (pids_[i] <= 0) return;
    ::kill(pids_[i], SIGKILL);
    ::waitpid(pids_[i], nullptr, 0);
    pids_[i] = -1;
  }
  void restart(std::size_t i) {
    if (pids_[i] <= 0) start(static_cast<int>(i));
  }

  // Until a write through the cluster succeeds (a leader with a quorum).
  bool wait_ready(std::chrono::milliseconds limit) {
    tas::EtcdClient probe(endpoints(), "/ftvm-ready/", std::chrono::milliseconds(1000));
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (probe.test_and_set("probe", "test").outcome != tas::Outcome::kUnreachable) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The index of the member that leads right now, per the members' own
  // status answers; nullopt when no running member names a running leader.
  std::optional<std::size_t> leader() const {
    std::vector<std::string> ids(size());
    std::string leader_id;
    for (std::size_t i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      auto s = etcd_post(endpoint(i), "/v3/maintenance/status", nlohmann::json::object(),
                         std::chrono::milliseconds(1000));
      if (!s) continue;
      if (s->contains("header")) ids[i] = id_text((*s)["header"], "member_id");
      std::string l = id_text(*s, "leader");
      if (!l.empty() && l != "0") leader_id = l;
    }
    for (std::size_t i = 0; i < size(); ++i)
      if (!ids[i].empty() && ids[i] == leader_id) return i;
    return std::nullopt;
  }

  // The value stored under `key` (a linearizable read, so it needs a
  // quorum); nullopt when the key is absent or no member answers.
  std::optional<std::string> value_of(const std::string& key) const {
    for (std::size_t i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      auto r = etcd_post(endpoint(i), "/v3/kv/range", {{"key", tas::base64_encode(key)}},
                         std::chrono::milliseconds(2000));
      if (!r) continue;
      if (!r->contains("kvs") || (*r)["kvs"].empty()) return std::nullopt;
      return tas::base64_decode((*r)["kvs"][0].value("value", std::string{}));
    }
    return std::nullopt;
  }

 private:
  static std::string member_name(int i) { return "m" + std::to_string(i); }
  std::string peer_url(int i) const { return "http://127.0.0.1:" + std::to_string(peer_ports_[i]); }
  std::string client_url(int i) const { return "http://127.0.0.1:" + std::to_string(client_ports_[i]); }

  void start(int i) {
    std::vector<std::string> args = {
        "etcd", "--name", member_name(i), "--data-dir", (dir_ / member_name(i)).string(),
        "--listen-client-urls", client_url(i), "--advertise-client-urls", client_url(i),
        "--listen-peer-urls", peer_url(i), "--initial-advertise-peer-urls", peer_url(i),
        "--initial-cluster", initial_cluster_, "--initial-cluster-state", "new",
        "--initial-cluster-token", "ftvm-pair-etcd", "--log-level", "error",
        // Fast elections, so a lost leader is replaced within a second.
        "--heartbeat-interval", "50", "--election-timeout", "500"};
    std::string log = (dir_ / (member_name(i) + ".log")).string();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      ::execvp("etcd", argv.data());
      ::_exit(127);
    }
    pids_[i] = pid;
  }

  std::filesystem::path dir_;
  std::string initial_cluster_;
  std::vector<std::uint16_t> client_ports_, peer_ports_;
  std::vector<pid_t> pids_;
};

}  // namespace ftvm::pairetcd
