// The switch process end to end: a SwitchServer on its own thread, VMs
// played by SwitchClientBackends, the slirp gateway answering on port 0.
#include "net/switch_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <set>
#include <thread>

#include "../disk/temp_dir.h"
#include "disk/event_fd.h"
#include "machine/core/error.h"
#include "net/switch_client_backend.h"
#include "test_frames.h"

namespace ftvm::net {
namespace {

using namespace ftvm::testing;
using namespace std::chrono_literals;

constexpr Ip4 kGuestIp{10, 0, 2, 15};
constexpr Ip4 kGatewayIp{10, 0, 2, 2};

// Runs a switch on a thread for the test's duration.
class RunningSwitch {
 public:
  explicit RunningSwitch(SwitchOptions options)
      : server_(std::make_unique<SwitchServer>(options)), thread_([this] { server_->run(stop_.fd()); }) {}
  ~RunningSwitch() { stop(); }
  // Stops the loop and closes every port, as if the switch process died.
  void stop() {
    if (!thread_.joinable()) return;
    stop_.signal();
    thread_.join();
    server_.reset();
  }

 private:
  disk::EventFd stop_;
  std::unique_ptr<SwitchServer> server_;
  std::thread thread_;
};

// A VM's NIC with a mailbox of everything it received.
class Nic {
 public:
  explicit Nic(const std::string& path) : backend_(path) {}
  void send(const Bytes& f) { backend_.send(f); }
  bool link_up() const { return backend_.link_up(); }

  // The first received frame matching `pred` (later ones stay queued).
  std::optional<Bytes> wait_for(const std::function<bool(const Bytes&)>& pred, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (auto& f : backend_.take_frames()) mailbox_.push_back(std::move(f));
      for (auto it = mailbox_.begin(); it != mailbox_.end(); ++it) {
        if (pred(*it)) {
          Bytes f = std::move(*it);
          mailbox_.erase(it);
          return f;
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      pollfd p{backend_.wake_fd(), POLLIN, 0};
      ::poll(&p, 1, 20);
    }
  }
  void clear() {
    backend_.take_frames();
    mailbox_.clear();
  }

 private:
  SwitchClientBackend backend_;
  std::vector<Bytes> mailbox_;
};

bool has_payload(const Bytes& f, std::uint8_t marker) { return f.size() > 14 && f[14] == marker; }
Bytes tagged(const net::MacAddress& dst, const net::MacAddress& src, std::uint8_t marker) {
  return ethernet(dst, src, 0x88b5, Bytes{marker});
}

// Retries until `to` hears from `from`, so both ports are surely attached
// (the switch accepts connections asynchronously).
void wait_linked(Nic& from, const net::MacAddress& from_mac, Nic& to) {
  for (int i = 0; i < 100; ++i) {
    from.send(tagged(kBroadcast, from_mac, 0xEE));
    if (to.wait_for([](const Bytes& f) { return has_payload(f, 0xEE); }, 50ms)) return;
  }
  FAIL() << "ports never linked";
}

SwitchOptions options(const TempDir& dir, bool gateway, std::vector<PortForward> forwards = {}) {
  SwitchOptions o;
  o.socket_path = dir.file("switch.sock");
  o.gateway = gateway;
  o.gateway_config.forwards = std::move(forwards);
  return o;
}

TEST(SwitchServer, FloodsThenForwardsByLearnedMac) {
  TempDir dir;
  RunningSwitch sw(options(dir, false));
  Nic a(dir.file("switch.sock")), b(dir.file("switch.sock")), c(dir.file("switch.sock"));
  wait_linked(a, mac(1), b);
  wait_linked(a, mac(1), c);
  wait_linked(b, mac(2), a);
  b.clear();
  c.clear();
  a.send(tagged(mac(2), mac(1), 0x42));  // mac 2 known on b's port: only b gets it
  EXPECT_TRUE(b.wait_for([](const Bytes& f) { return has_payload(f, 0x42); }));
  EXPECT_FALSE(c.wait_for([](const Bytes& f) { return has_payload(f, 0x42); }, 200ms));
  a.send(tagged(mac(9), mac(1), 0x43));  // unknown: flooded
  EXPECT_TRUE(b.wait_for([](const Bytes& f) { return has_payload(f, 0x43); }));
  EXPECT_TRUE(c.wait_for([](const Bytes& f) { return has_payload(f, 0x43); }));
}

TEST(SwitchServer, BackupTakesOverTheMacAfterARarpAnnouncement) {
  TempDir dir;
  RunningSwitch sw(options(dir, false));
  std::string path = dir.file("switch.sock");
  Nic primary(path), peer(path), backup(path);
  wait_linked(primary, mac(7), peer);
  wait_linked(peer, mac(2), backup);
  wait_linked(backup, mac(3), peer);  // backup attached (with a different MAC for now)

  peer.send(tagged(mac(7), mac(2), 0x51));
  EXPECT_TRUE(primary.wait_for([](const Bytes& f) { return has_payload(f, 0x51); }));
  EXPECT_FALSE(backup.wait_for([](const Bytes& f) { return has_payload(f, 0x51); }, 200ms));

  backup.send(rarp_announcement(mac(7)));  // failover: "mac 7 is here now"
  ASSERT_TRUE(peer.wait_for([](const Bytes& f) { return net::ether_type(f) == net::kEtherTypeRarp; }));
  peer.send(tagged(mac(7), mac(2), 0x52));
  EXPECT_TRUE(backup.wait_for([](const Bytes& f) { return has_payload(f, 0x52); }));
  EXPECT_FALSE(primary.wait_for([](const Bytes& f) { return has_payload(f, 0x52); }, 200ms));
}

TEST(SwitchServer, SecondSwitchOnTheSameSocketIsRefused) {
  TempDir dir;
  RunningSwitch sw(options(dir, false));
  EXPECT_THROW(SwitchServer(options(dir, false)), Error);
}

TEST(SwitchServer, ClientSeesTheLinkGoDownWhenTheSwitchStops) {
  TempDir dir;
  RunningSwitch sw(options(dir, false));
  Nic a(dir.file("switch.sock"));
  sw.stop();
  a.send(tagged(kBroadcast, mac(1), 1));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (a.link_up() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(a.link_up());
  a.send(tagged(kBroadcast, mac(1), 2));  // dropped, no crash
}

TEST(SwitchServer, ConnectingToAMissingSwitchIsAClearError) {
  TempDir dir;
  try {
    SwitchClientBackend nic(dir.file("absent.sock"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.sock"), std::string::npos);
  }
}

bool is_arp_reply_from(const Bytes& f, Ip4 ip) {
  return f.size() >= 42 && net::ether_type(f) == net::kEtherTypeArp && f[21] == 2 &&
         std::equal(ip.begin(), ip.end(), f.begin() + 28);
}

TEST(SlirpGateway, AnswersArpForTheGatewayAddress) {
  TempDir dir;
  RunningSwitch sw(options(dir, true));
  Nic vm(dir.file("switch.sock"));
  std::optional<Bytes> reply;
  for (int i = 0; i < 50 && !reply; ++i) {  // retried: the port may not be attached yet
    vm.send(arp_request(mac(1), kGuestIp, kGatewayIp));
    reply = vm.wait_for([](const Bytes& f) { return is_arp_reply_from(f, kGatewayIp); }, 100ms);
  }
  ASSERT_TRUE(reply);
  EXPECT_EQ(net::destination_mac(*reply), mac(1));
  // The reply's sender hardware address is the gateway's MAC, and the
  // frame came from it.
  EXPECT_EQ(net::MacAddress::from(std::span(*reply).subspan(22, 6)), net::source_mac(*reply));
}

TEST(SlirpGateway, AnswersPingToTheGateway) {
  TempDir dir;
  RunningSwitch sw(options(dir, true));
  Nic vm(dir.file("switch.sock"));
  std::optional<Bytes> arp;
  for (int i = 0; i < 50 && !arp; ++i) {
    vm.send(arp_request(mac(1), kGuestIp, kGatewayIp));
    arp = vm.wait_for([](const Bytes& f) { return is_arp_reply_from(f, kGatewayIp); }, 100ms);
  }
  ASSERT_TRUE(arp);
  net::MacAddress gateway_mac = net::source_mac(*arp);
  vm.send(icmp_echo(gateway_mac, mac(1), kGuestIp, kGatewayIp, 0x1234, 7));
  auto pong = vm.wait_for([](const Bytes& f) {
    return f.size() >= 42 && net::ether_type(f) == net::kEtherTypeIpv4 && f[23] == 1 /* ICMP */ && f[34] == 0;
  });
  ASSERT_TRUE(pong);
  const Bytes& p = *pong;
  EXPECT_TRUE(std::equal(kGatewayIp.begin(), kGatewayIp.end(), p.begin() + 26));  // from the gateway
  EXPECT_TRUE(std::equal(kGuestIp.begin(), kGuestIp.end(), p.begin() + 30));      // to us
  EXPECT_EQ(p[38] << 8 | p[39], 0x1234);                                          // our id
  EXPECT_EQ(p[40] << 8 | p[41], 7);                                               // our sequence
}

std::uint16_t free_tcp_port() {
  disk::UniqueFd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// A host program connecting to a forwarded port makes the gateway reach
// for the guest: it asks who has 10.0.2.15, then sends the TCP SYN there.
TEST(SlirpGateway, HostConnectionToAForwardReachesTheGuest) {
  TempDir dir;
  std::uint16_t port = free_tcp_port();
  RunningSwitch sw(options(dir, true, {PortForward::parse("tcp:127.0.0.1:" + std::to_string(port) + "-10.0.2.15:6379")}));
  Nic vm(dir.file("switch.sock")), peer(dir.file("switch.sock"));
  wait_linked(vm, mac(1), peer);  // both ports attached
  vm.clear();

  disk::UniqueFd client(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);

  auto who_has = vm.wait_for([](const Bytes& f) {
    return f.size() >= 42 && net::ether_type(f) == net::kEtherTypeArp && f[21] == 1 &&
           std::equal(kGuestIp.begin(), kGuestIp.end(), f.begin() + 38);
  });
  ASSERT_TRUE(who_has);
  net::MacAddress gateway_mac = net::source_mac(*who_has);
  vm.send(ethernet(gateway_mac, mac(1), net::kEtherTypeArp, arp_payload(2, mac(1), kGuestIp, gateway_mac, kGatewayIp)));
  auto syn = vm.wait_for([](const Bytes& f) {
    return f.size() >= 54 && net::ether_type(f) == net::kEtherTypeIpv4 && f[23] == 6 /* TCP */ &&
           (f[36] << 8 | f[37]) == 6379 && (f[47] & 0x02) /* SYN */;
  });
  ASSERT_TRUE(syn);
  EXPECT_EQ(net::destination_mac(*syn), mac(1));
}

bool is_syn_to_guest_port(const Bytes& f, std::uint16_t guest_port) {
  return f.size() >= 54 && net::ether_type(f) == net::kEtherTypeIpv4 && f[23] == 6 /* TCP */ &&
         (f[36] << 8 | f[37]) == guest_port && (f[47] & 0x12) == 0x02 /* SYN, not SYN-ACK */;
}

// redis-benchmark opens 50 connections at once. libslirp listens on a
// forwarded port with a backlog of 1, so without the gateway widening it the
// host kernel's accept queue overflows: two connections get through, the
// rest only on TCP's backed-off retransmissions (0.2 s, 0.4 s, ... -- the
// benchmark stalled for minutes). Every one must reach the guest promptly.
TEST(SlirpGateway, ABurstOfHostConnectionsAllReachTheGuestPromptly) {
  TempDir dir;
  std::uint16_t port = free_tcp_port();
  RunningSwitch sw(options(dir, true, {PortForward::parse("tcp:127.0.0.1:" + std::to_string(port) + "-10.0.2.15:6379")}));
  Nic vm(dir.file("switch.sock")), peer(dir.file("switch.sock"));
  wait_linked(vm, mac(1), peer);
  // Teach the gateway where 10.0.2.15 is, as a booting guest would.
  std::optional<Bytes> arp;
  for (int i = 0; i < 50 && !arp; ++i) {
    vm.send(arp_request(mac(1), kGuestIp, kGatewayIp));
    arp = vm.wait_for([](const Bytes& f) { return is_arp_reply_from(f, kGatewayIp); }, 100ms);
  }
  ASSERT_TRUE(arp);
  vm.clear();

  constexpr int kClients = 40;
  std::vector<disk::UniqueFd> clients;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = ::connect(clients.back().get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ASSERT_TRUE(rc == 0 || errno == EINPROGRESS) << std::strerror(errno);
  }
  // Well under the 1 s an overflowed handshake waits for its first retry.
  std::set<std::uint16_t> source_ports;
  auto deadline = std::chrono::steady_clock::now() + 600ms;
  while (source_ports.size() < kClients && std::chrono::steady_clock::now() < deadline) {
    auto syn = vm.wait_for([](const Bytes& f) { return is_syn_to_guest_port(f, 6379); }, 20ms);
    if (syn) source_ports.insert(static_cast<std::uint16_t>((*syn)[34] << 8 | (*syn)[35]));
  }
  EXPECT_EQ(source_ports.size(), static_cast<std::size_t>(kClients));
}

TEST(SlirpGateway, ForwardOnABusyHostPortIsAnError) {
  TempDir dir;
  disk::UniqueFd holder(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(holder.get(), 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(holder.get(), reinterpret_cast<sockaddr*>(&a), &len);
  auto spec = "tcp:127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "-10.0.2.15:80";
  EXPECT_THROW(SwitchServer(options(dir, true, {PortForward::parse(spec)})), Error);
}

}  // namespace
}  // namespace ftvm::net
