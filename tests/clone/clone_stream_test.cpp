// Live clones of running bare-metal guests over a socketpair and loopback
// TCP: the source keeps executing between rounds, the clone continues from
// exactly its state, and both then stay equal under the same inputs.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>

#include "clone/byte_stream.h"
#include "clone/clone_error.h"
#include "clone/clone_session.h"
#include "clone/tcp.h"
#include "clone_test_support.h"

namespace ftvm::clone {
namespace {

using testing::guest_config;
using testing::ScriptedHost;
using namespace std::chrono_literals;

std::pair<FdStream, FdStream> stream_pair() {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  return {FdStream(disk::UniqueFd(sv[0]), 20s), FdStream(disk::UniqueFd(sv[1]), 20s)};
}

// Runs both machines `slices` slices with identical hosts; they must agree.
void expect_lockstep(machine::Machine& a, ScriptedHost& host_a, machine::Machine& b, int slices) {
  ScriptedHost host_b;
  host_b.slice_length = host_a.slice_length;
  const std::size_t console_before = host_a.console.size();
  for (int i = 0; i < slices; ++i) {
    host_a.slice(a);
    host_b.slice(b);
    ASSERT_EQ(a.instret(), b.instret()) << "slice " << i;
    if (i % 10 == 0) {
      ASSERT_EQ(a.state_hash(), b.state_hash()) << "slice " << i;
    }
  }
  EXPECT_EQ(a.state_hash(), b.state_hash());
  EXPECT_EQ(host_b.console, host_a.console.substr(console_before));
  EXPECT_NE(host_b.console.find("echo"), std::string::npos) << "the clone must have served console input";
}

struct SentClone {
  CloneProgress progress;
  std::exception_ptr error;
};

// The sending side in its own thread, as the primary's host would be.
std::thread send_in_thread(machine::Machine& source, ScriptedHost& host, ByteStream& stream, ClonePolicy policy,
                           SentClone& out) {
  return std::thread([&source, &host, &stream, policy, &out] {
    try {
      out.progress = send_clone(source, stream, [&host](machine::Machine& m) { host.slice(m); }, policy);
    } catch (...) {
      out.error = std::current_exception();
    }
  });
}

TEST(CloneStream, IdleGuestOverASocketpairConvergesAndContinuesInLockstep) {
  const machine::MachineConfig config = guest_config("ticker");
  machine::Machine source(config);
  ScriptedHost host;
  for (int i = 0; i < 30; ++i) host.slice(source);
  ASSERT_NE(host.console.find("ticker up"), std::string::npos) << host.console;
  const machine::Instret before = source.instret();

  auto [send_end, receive_end] = stream_pair();
  ClonePolicy policy;
  policy.pages_per_message = 64;  // many steps: the guest runs between them
  SentClone sent;
  std::thread sender = send_in_thread(source, host, send_end, policy, sent);
  std::unique_ptr<machine::Machine> clone = receive_clone(config, receive_end);
  sender.join();
  if (sent.error) std::rethrow_exception(sent.error);

  ASSERT_NE(clone, nullptr);
  EXPECT_GT(source.instret(), before) << "the source must have run during pre-copy";
  EXPECT_EQ(sent.progress.instret, source.instret());
  EXPECT_EQ(clone->instret(), source.instret());
  EXPECT_EQ(clone->state_hash(), source.state_hash());
  EXPECT_FALSE(source.dirty_tracking());
  EXPECT_GE(sent.progress.pages, source.page_count());
  EXPECT_GT(sent.progress.zero_pages, sent.progress.data_pages) << "most of a small guest's RAM is zero";
  EXPECT_LE(sent.progress.final_pages, policy.final_round_pages);
  EXPECT_TRUE(sent.progress.done);
  expect_lockstep(source, host, *clone, 200);
}

TEST(CloneStream, BusyGuestOverLoopbackTcpStopsOnItsOwnRules) {
  const machine::MachineConfig config = guest_config("churn");
  machine::Machine source(config);
  ScriptedHost host;
  for (int i = 0; i < 40; ++i) host.slice(source);
  ASSERT_NE(host.console.find("churn up"), std::string::npos) << host.console;

  TcpListener listener("127.0.0.1:0");
  const std::string address = "127.0.0.1:" + std::to_string(listener.port());
  ClonePolicy policy;
  policy.max_rounds = 5;
  policy.final_round_pages = 8;  // below the guest's 256-page working set: never reached
  SentClone sent;
  std::unique_ptr<FdStream> send_end;
  std::thread sender([&] {
    try {
      send_end = std::make_unique<FdStream>(connect_tcp(address, 10s), 20s);
      sent.progress = send_clone(source, *send_end, [&host](machine::Machine& m) { host.slice(m); }, policy);
    } catch (...) {
      sent.error = std::current_exception();
    }
  });
  disk::UniqueFd accepted = listener.accept(20s);
  ASSERT_TRUE(accepted.valid());
  FdStream receive_end(std::move(accepted), 20s);
  std::unique_ptr<machine::Machine> clone = receive_clone(config, receive_end);
  sender.join();
  if (sent.error) std::rethrow_exception(sent.error);

  EXPECT_EQ(clone->state_hash(), source.state_hash());
  EXPECT_LE(sent.progress.rounds, policy.max_rounds);
  // The working set is rewritten every slice: the last dirty set holds it.
  EXPECT_GE(sent.progress.final_pages, 256u);
  EXPECT_FALSE(source.dirty_tracking());
  expect_lockstep(source, host, *clone, 100);
}

TEST(CloneStream, ARefusedCloneIsAnErrorOnBothSidesAndTheSourceRunsOn) {
  machine::Machine source(guest_config("ticker"));
  ScriptedHost host;
  host.slice(source);
  auto [send_end, receive_end] = stream_pair();
  SentClone sent;
  std::thread sender = send_in_thread(source, host, send_end, {}, sent);
  // The receiver has another RAM size: it refuses at the hello.
  EXPECT_THROW(receive_clone(guest_config("ticker", 32ull << 20), receive_end), CloneError);
  sender.join();
  ASSERT_TRUE(sent.error);
  try {
    std::rethrow_exception(sent.error);
  } catch (const Error& e) {
    // The sender either read the refusal or found the stream closed.
    SUCCEED() << e.what();
  }
  EXPECT_FALSE(source.dirty_tracking());
  const machine::Instret at = source.instret();
  host.slice(source);
  EXPECT_GT(source.instret(), at);
}

TEST(CloneStream, FiveHundredTwelveMegabyteMachineTiming) {
  const machine::MachineConfig config = guest_config("ticker", 512ull << 20);
  machine::Machine source(config);
  ScriptedHost host;
  for (int i = 0; i < 10; ++i) host.slice(source);

  TcpListener listener("127.0.0.1:0");
  const std::string address = "127.0.0.1:" + std::to_string(listener.port());
  SentClone sent;
  std::thread sender([&] {
    try {
      FdStream stream(connect_tcp(address, 10s), 60s);
      sent.progress = send_clone(source, stream, [&host](machine::Machine& m) { host.slice(m); });
    } catch (...) {
      sent.error = std::current_exception();
    }
  });
  disk::UniqueFd accepted = listener.accept(20s);
  ASSERT_TRUE(accepted.valid());
  FdStream receive_end(std::move(accepted), 60s);
  CloneProgress received;
  std::unique_ptr<machine::Machine> clone =
      receive_clone(config, receive_end, [&received](const CloneProgress& p) { received = p; });
  sender.join();
  if (sent.error) std::rethrow_exception(sent.error);
  EXPECT_EQ(clone->state_hash(), source.state_hash());
  EXPECT_EQ(received.pages, sent.progress.pages);
  EXPECT_EQ(received.bytes, sent.progress.bytes);
  // 131072 pages, nearly all zero: they travel as runs, not as 512 MiB.
  EXPECT_LT(sent.progress.bytes, 16ull << 20);
  auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("512 MiB clone: %u re-copy rounds, %llu pages (%llu data, %llu zero, %llu final), %llu bytes, "
              "state %llu bytes; pause %.1f ms (source stopped), total %.1f ms (until verified); receiver: final round to verified %.1f ms\n",
              sent.progress.rounds, static_cast<unsigned long long>(sent.progress.pages),
              static_cast<unsigned long long>(sent.progress.data_pages),
              static_cast<unsigned long long>(sent.progress.zero_pages),
              static_cast<unsigned long long>(sent.progress.final_pages),
              static_cast<unsigned long long>(sent.progress.bytes),
              static_cast<unsigned long long>(sent.progress.state_bytes), ms(sent.progress.pause),
              ms(sent.progress.total), ms(received.pause));
  ScriptedHost host_b;
  for (int i = 0; i < 20; ++i) {
    host.slice(source);
    host_b.slice(*clone);
  }
  EXPECT_EQ(clone->state_hash(), source.state_hash());
}

}  // namespace
}  // namespace ftvm::clone
