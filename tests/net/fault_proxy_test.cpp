// The fault-injecting TCP proxy on loopback: a real target server, real
// clients, and the proxy in between being cut, healed, frozen and thawed.
#include "net/fault_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::net {
namespace {

using disk::UniqueFd;
using namespace std::chrono_literals;

constexpr auto kPatience = 3s;  // every wait in these tests ends by then

UniqueFd blocking_socket() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw std::runtime_error("socket failed");
  // No blocking call may hang a test: reads and writes give up in time.
  timeval limit{3, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return fd;
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

UniqueFd connect_to(std::uint16_t port) {
  UniqueFd fd = blocking_socket();
  sockaddr_in addr = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect to port " + std::to_string(port) + " failed");
  return fd;
}

bool readable_within(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    done += static_cast<std::size_t>(n);
  }
}

// Exactly `count` bytes, or what arrived before EOF, an error or the timeout.
std::string receive(int fd, std::size_t count) {
  std::string got;
  char chunk[65536];
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (!readable_within(fd, 100ms)) continue;
    ssize_t n = ::recv(fd, chunk, std::min(sizeof chunk, count - got.size()), 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<std::size_t>(n));
  }
  return got;
}

// How a connection ended, seen from one end.
enum class End { still_open, eof, reset };

End wait_for_end(int fd) {
  if (!readable_within(fd, kPatience)) return End::still_open;
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, 0);
  if (n == 0) return End::eof;
  if (n < 0 && errno == ECONNRESET) return End::reset;
  return End::still_open;  // data arrived instead of an end
}

bool ended(int fd) { return wait_for_end(fd) != End::still_open; }

// The service behind the proxy: accepts on an ephemeral loopback port.
class Target {
 public:
  Target() : listener_(blocking_socket()) {
    sockaddr_in addr = loopback(0);
    int one = 1;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_.get(), 256) != 0)
      throw std::runtime_error("target cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  std::uint16_t port() const { return port_; }

  // The next connection, or nothing within `limit`.
  std::optional<UniqueFd> accept(std::chrono::milliseconds limit = kPatience) {
    if (!readable_within(listener_.get(), limit)) return std::nullopt;
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    timeval t{3, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
    return fd;
  }

 private:
  UniqueFd listener_;
  std::uint16_t port_ = 0;
};

FaultProxyConfig config_for(const Target& target) {
  FaultProxyConfig config;
  config.listen = parse_endpoint("127.0.0.1:0");
  config.target = parse_endpoint("127.0.0.1:" + std::to_string(target.port()));
  config.control = parse_endpoint("127.0.0.1:0");
  return config;
}

// A client connected through the proxy and the target's end of it.
struct Link {
  UniqueFd client;
  UniqueFd server;
};

Link open_link(FaultProxy& proxy, Target& target) {
  Link link{connect_to(proxy.listen_port()), {}};
  auto server = target.accept();
  if (!server) throw std::runtime_error("the proxy did not connect to the target");
  link.server = std::move(*server);
  return link;
}

// Bytes that differ at every position, so reordering or loss shows.
std::string pattern(std::size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + seed * 7 + i / 251) & 0xff);
  return bytes;
}

class FaultProxyTest : public ::testing::Test {
 protected:
  Target target;
  FaultProxy proxy{config_for(target)};
};

// --- passing bytes ---------------------------------------------------------

TEST_F(FaultProxyTest, ReportsTheKernelChosenPorts) {
  EXPECT_NE(proxy.listen_port(), 0);
  EXPECT_NE(proxy.control_port(), 0);
  EXPECT_NE(proxy.listen_port(), proxy.control_port());
}

TEST_F(FaultProxyTest, BytesPassBothWays) {
  Link link = open_link(proxy, target);
  send_all(link.client.get(), "ping from client");
  EXPECT_EQ(receive(link.server.get(), 16), "ping from client");
  send_all(link.server.get(), "pong from target");
  EXPECT_EQ(receive(link.client.get(), 16), "pong from target");
  FaultProxyStatus status = proxy.status();
  EXPECT_EQ(status.open_connections, 1u);
  EXPECT_EQ(status.accepted, 1u);
  EXPECT_EQ(status.bytes_to_target, 16u);
  EXPECT_EQ(status.bytes_to_client, 16u);
}

TEST_F(FaultProxyTest, LargeTransfersArriveIntactBothWaysAtOnce) {
  Link link = open_link(proxy, target);
  // Several times the proxy's buffer, in both directions concurrently, so
  // back-pressure is exercised while the other direction keeps moving.
  const std::string up = pattern(3 << 20, 1);
  const std::string down = pattern(3 << 20, 2);
  std::string got_up;
  std::string got_down;
  std::thread sender_up([&] { send_all(link.client.get(), up); });
  std::thread sender_down([&] { send_all(link.server.get(), down); });
  std::thread reader_down([&] { got_down = receive(link.client.get(), down.size()); });
  got_up = receive(link.server.get(), up.size());
  sender_up.join();
  sender_down.join();
  reader_down.join();
  EXPECT_TRUE(got_up == up) << "client->target stream differs (got " << got_up.size() << " bytes)";
  EXPECT_TRUE(got_down == down) << "target->client stream differs (got " << got_down.size() << " bytes)";
}

TEST_F(FaultProxyTest, HalfCloseIsPassedOnAndTheOtherWayKeepsFlowing) {
  Link link = open_link(proxy, target);
  send_all(link.client.get(), "request");
  ::shutdown(link.client.get(), SHUT_WR);
  EXPECT_EQ(receive(link.server.get(), 7), "request");
  EXPECT_EQ(wait_for_end(link.server.get()), End::eof);
  send_all(link.server.get(), "late answer");
  EXPECT_EQ(receive(link.client.get(), 11), "late answer");
  ::shutdown(link.server.get(), SHUT_WR);
  EXPECT_EQ(wait_for_end(link.client.get()), End::eof);
}

TEST_F(FaultProxyTest, ManyConnectionsEachKeepTheirOwnBytes) {
  constexpr int kConnections = 60;
  std::vector<Link> links;
  for (int i = 0; i < kConnections; ++i) links.push_back(open_link(proxy, target));
  for (int i = 0; i < kConnections; ++i) send_all(links[i].client.get(), "conn-" + std::to_string(1000 + i));
  for (int i = 0; i < kConnections; ++i) {
    EXPECT_EQ(receive(links[i].server.get(), 9), "conn-" + std::to_string(1000 + i));
    send_all(links[i].server.get(), "back-" + std::to_string(1000 + i));
  }
  for (int i = 0; i < kConnections; ++i) EXPECT_EQ(receive(links[i].client.get(), 9), "back-" + std::to_string(1000 + i));
  EXPECT_EQ(proxy.status().open_connections, static_cast<std::uint64_t>(kConnections));
}

// --- cut and heal ------------------------------------------------------------

TEST_F(FaultProxyTest, CutResetsBothEndsOfEveryConnection) {
  Link first = open_link(proxy, target);
  Link second = open_link(proxy, target);
  proxy.cut();
  EXPECT_EQ(wait_for_end(first.client.get()), End::reset);
  EXPECT_EQ(wait_for_end(first.server.get()), End::reset);
  EXPECT_TRUE(ended(second.client.get()));
  EXPECT_TRUE(ended(second.server.get()));
  FaultProxyStatus status = proxy.status();
  EXPECT_TRUE(status.cut);
  EXPECT_EQ(status.open_connections, 0u);
  EXPECT_EQ(status.dropped, 2u);
}

TEST_F(FaultProxyTest, WhileCutNewConnectionsAreRefusedAndNeverReachTheTarget) {
  proxy.cut();
  UniqueFd client = connect_to(proxy.listen_port());
  EXPECT_TRUE(ended(client.get()));
  EXPECT_FALSE(target.accept(300ms).has_value());
  EXPECT_EQ(proxy.status().refused, 1u);
}

TEST_F(FaultProxyTest, HealAcceptsAndForwardsAgain) {
  proxy.cut();
  proxy.heal();
  EXPECT_FALSE(proxy.status().cut);
  Link link = open_link(proxy, target);
  send_all(link.client.get(), "after heal");
  EXPECT_EQ(receive(link.server.get(), 10), "after heal");
}

// --- freeze and thaw ---------------------------------------------------------

TEST_F(FaultProxyTest, FreezeHoldsBytesAndThawDeliversThemInOrder) {
  Link link = open_link(proxy, target);
  send_all(link.client.get(), "before;");
  EXPECT_EQ(receive(link.server.get(), 7), "before;");
  proxy.freeze();
  send_all(link.client.get(), "held-1;");
  send_all(link.client.get(), "held-2;");
  send_all(link.server.get(), "reply-held;");
  EXPECT_FALSE(readable_within(link.server.get(), 300ms)) << "bytes passed a frozen proxy";
  EXPECT_FALSE(readable_within(link.client.get(), 50ms)) << "bytes passed a frozen proxy";
  EXPECT_TRUE(proxy.status().frozen);
  EXPECT_EQ(proxy.status().open_connections, 1u);  // the connection stays open
  proxy.thaw();
  EXPECT_EQ(receive(link.server.get(), 14), "held-1;held-2;");
  EXPECT_EQ(receive(link.client.get(), 11), "reply-held;");
}

TEST_F(FaultProxyTest, ConnectionsArrivingWhileFrozenWaitUntilThaw) {
  proxy.freeze();
  UniqueFd client = connect_to(proxy.listen_port());
  send_all(client.get(), "early");
  EXPECT_FALSE(target.accept(300ms).has_value());
  proxy.thaw();
  auto server = target.accept();
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(receive(server->get(), 5), "early");
}

TEST_F(FaultProxyTest, CutWhileFrozenStillDropsEverything) {
  Link link = open_link(proxy, target);
  proxy.freeze();
  send_all(link.client.get(), "doomed");
  proxy.cut();
  EXPECT_TRUE(ended(link.client.get()));
  EXPECT_TRUE(ended(link.server.get()));
  proxy.heal();
  proxy.thaw();
  Link fresh = open_link(proxy, target);
  send_all(fresh.client.get(), "fresh");
  EXPECT_EQ(receive(fresh.server.get(), 5), "fresh");
}

// --- failures around the proxy -----------------------------------------------

void reset_now(UniqueFd& fd) {
  linger abort_on_close{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  fd.reset();
}

TEST_F(FaultProxyTest, ClientResetIsPassedOnAndTheProxyCarriesOn) {
  Link link = open_link(proxy, target);
  send_all(link.client.get(), "partial");
  EXPECT_EQ(receive(link.server.get(), 7), "partial");
  reset_now(link.client);
  EXPECT_TRUE(ended(link.server.get()));
  Link next = open_link(proxy, target);
  send_all(next.client.get(), "still alive");
  EXPECT_EQ(receive(next.server.get(), 11), "still alive");
}

TEST_F(FaultProxyTest, TargetResetIsPassedOnAndTheProxyCarriesOn) {
  Link link = open_link(proxy, target);
  reset_now(link.server);
  EXPECT_EQ(wait_for_end(link.client.get()), End::reset);
  Link next = open_link(proxy, target);
  send_all(next.server.get(), "still alive");
  EXPECT_EQ(receive(next.client.get(), 11), "still alive");
}

TEST(FaultProxyNoTarget, AnUnreachableTargetResetsTheClientOnly) {
  std::uint16_t dead_port;
  {
    Target gone;  // bound then closed: nothing listens there any more
    dead_port = gone.port();
  }
  FaultProxyConfig config;
  config.target = parse_endpoint("127.0.0.1:" + std::to_string(dead_port));
  FaultProxy proxy(config);
  UniqueFd client = connect_to(proxy.listen_port());
  EXPECT_EQ(wait_for_end(client.get()), End::reset);
  EXPECT_EQ(proxy.status().open_connections, 0u);
}

// --- the control socket -----------------------------------------------------

// One line to the control socket, its one-line answer back.
std::string control(std::uint16_t port, const std::string& line) {
  UniqueFd fd = connect_to(port);
  send_all(fd.get(), line + "\n");
  std::string answer;
  char c;
  while (answer.size() < 4096 && ::recv(fd.get(), &c, 1, 0) == 1 && c != '\n') answer += c;
  return answer;
}

TEST_F(FaultProxyTest, ControlSocketDrivesTheProxy) {
  Link link = open_link(proxy, target);
  EXPECT_EQ(control(proxy.control_port(), "freeze"), "ok frozen");
  EXPECT_TRUE(proxy.status().frozen);
  EXPECT_EQ(control(proxy.control_port(), "thaw"), "ok thawed");
  EXPECT_EQ(control(proxy.control_port(), "cut"), "ok cut");
  EXPECT_TRUE(ended(link.client.get()));
  std::string status = control(proxy.control_port(), "status");
  EXPECT_EQ(status.rfind("ok cut=1 frozen=0 open=0 accepted=1", 0), 0u) << status;
  EXPECT_EQ(control(proxy.control_port(), "  heal\r"), "ok healed");
  EXPECT_FALSE(proxy.status().cut);
}

TEST_F(FaultProxyTest, ControlSocketAnswersSeveralLinesOnOneConnection) {
  UniqueFd fd = connect_to(proxy.control_port());
  send_all(fd.get(), "freeze\nstatus\nthaw\n");
  std::string answers = receive(fd.get(), std::string("ok frozen\n").size());
  EXPECT_EQ(answers, "ok frozen\n");
  std::string rest;
  char c;
  int lines = 0;
  while (lines < 2 && ::recv(fd.get(), &c, 1, 0) == 1) {
    rest += c;
    if (c == '\n') ++lines;
  }
  EXPECT_EQ(rest.rfind("ok cut=0 frozen=1", 0), 0u) << rest;
  EXPECT_NE(rest.find("\nok thawed\n"), std::string::npos) << rest;
}

TEST_F(FaultProxyTest, BadControlInputGetsAnErrorNotACrash) {
  EXPECT_EQ(control(proxy.control_port(), "explode").rfind("error unknown command 'explode'", 0), 0u);
  EXPECT_EQ(control(proxy.control_port(), "").rfind("error empty command", 0), 0u);
  // An endless line is answered and the controller is dropped.
  UniqueFd fd = connect_to(proxy.control_port());
  send_all(fd.get(), std::string(5000, 'x'));
  std::string answer = receive(fd.get(), 6);
  EXPECT_EQ(answer, "error ");
  EXPECT_EQ(proxy.command("status").rfind("ok ", 0), 0u);
  EXPECT_EQ(proxy.command("nonsense").rfind("error ", 0), 0u);
}

TEST_F(FaultProxyTest, ControllersBeyondTheLimitAreTurnedAway) {
  std::vector<UniqueFd> held;
  for (int i = 0; i < 16; ++i) {
    held.push_back(connect_to(proxy.control_port()));
    send_all(held.back().get(), "status\n");
    ASSERT_EQ(receive(held.back().get(), 3), "ok ");  // accepted and served
  }
  UniqueFd extra = connect_to(proxy.control_port());
  EXPECT_EQ(receive(extra.get(), 64), "error too many control connections\n");
  held.clear();
  // Room again once the proxy has seen them leave (bounded retry: it may
  // accept the next one in the same round it notices the hang-ups).
  std::string answer;
  for (int attempt = 0; attempt < 50 && answer != "ok healed"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(20ms);
    answer = control(proxy.control_port(), "heal");
  }
  EXPECT_EQ(answer, "ok healed");
}

TEST_F(FaultProxyTest, CommandsFromManyThreadsAllGetAnswers) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        if (proxy.command(i % 2 ? "freeze" : "thaw").rfind("ok", 0) == 0) ++ok;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 200);
}

// --- configuration ------------------------------------------------------------

TEST(FaultProxyEndpoint, ParsesAddressesAndRejectsNonsense) {
  Endpoint e = parse_endpoint("127.0.0.1:7000");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 7000);
  EXPECT_EQ(parse_endpoint("localhost:0").host, "127.0.0.1");
  EXPECT_EQ(parse_endpoint("10.250.0.2:65535").port, 65535);
  for (const char* bad : {"", "7000", "127.0.0.1", "127.0.0.1:", ":7000", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:70x", "example.invalid:80", "1.2.3:80", "127.0.0.1:123456"})
    EXPECT_THROW(parse_endpoint(bad), Error) << bad;
}

TEST(FaultProxyConfigErrors, APortInUseIsAClearError) {
  Target busy;
  FaultProxyConfig config;
  config.target = parse_endpoint("127.0.0.1:9");
  config.listen = parse_endpoint("127.0.0.1:" + std::to_string(busy.port()));
  try {
    FaultProxy proxy(config);
    FAIL() << "binding a port in use succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(busy.port())), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ftvm::net
