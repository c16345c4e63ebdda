// The logging channel over a real loopback connection: frames cross intact
// in both directions, and a peer that breaks framing or hangs up ends the
// channel with a reason instead of a crash.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "ft/message_codec.h"
#include "pair/log_channel.h"
#include "pair/pair_options.h"
#include "pair/status_line.h"
#include "machine/core/error.h"

using namespace ftvm;
using namespace std::chrono_literals;

namespace {

struct Connected {
  pair::ChannelListener listener{"127.0.0.1:0"};
  pair::LogChannel client = pair::LogChannel::connect("127.0.0.1:" + std::to_string(listener.port()), 5s);
  pair::LogChannel server = *listener.accept(5s);
};

std::vector<std::vector<std::uint8_t>> receive_some(pair::LogChannel& c, std::size_t want) {
  std::vector<std::vector<std::uint8_t>> all;
  for (int i = 0; i < 200 && all.size() < want && !c.closed(); ++i) {
    c.wait(10ms);
    for (auto& f : c.receive()) all.push_back(std::move(f));
  }
  return all;
}

TEST(LogChannel, CarriesMessagesBothWays) {
  Connected c;
  ft::PairId pair{"vm", 3};
  ft::Message batch{pair, ft::Sender::kPrimary, ft::LogBatch{7, {{1, std::vector<std::uint8_t>(100000, 0x5a)}}}};
  ft::Message ack{pair, ft::Sender::kBackup, ft::Ack{7, 1, 1}};
  c.client.send(batch);
  c.server.send(ack);
  for (int i = 0; i < 100 && c.client.queued_bytes() > 0; ++i) {
    c.client.wait(10ms);
    c.client.flush();
  }
  auto at_server = receive_some(c.server, 1);
  auto at_client = receive_some(c.client, 1);
  ASSERT_EQ(at_server.size(), 1u);
  ASSERT_EQ(at_client.size(), 1u);
  EXPECT_EQ(ft::decode_message(at_server[0]).message, batch);
  EXPECT_EQ(ft::decode_message(at_client[0]).message, ack);
}

TEST(LogChannel, AHugeLengthPrefixEndsTheChannelWithAReason) {
  Connected c;
  std::vector<std::uint8_t> garbage(16, 0xff);
  ASSERT_EQ(::send(c.client.fd(), garbage.data(), garbage.size(), 0), 16);
  receive_some(c.server, 1);
  EXPECT_TRUE(c.server.closed());
  EXPECT_NE(c.server.close_reason().find("framing lost"), std::string::npos) << c.server.close_reason();
}

TEST(LogChannel, APeerHangingUpIsReportedAndSendsAfterwardsAreHarmless) {
  Connected c;
  c.client.close("test");
  receive_some(c.server, 1);
  EXPECT_TRUE(c.server.closed());
  EXPECT_NE(c.server.close_reason().find("closed the logging channel"), std::string::npos);
  c.server.send(ft::Message{{"vm", 1}, ft::Sender::kBackup, ft::Ack{}});
  EXPECT_TRUE(c.server.closed());
}

TEST(LogChannel, ConnectingToNobodyFailsWithTheAddress) {
  pair::ChannelListener probe("127.0.0.1:0");
  std::string address = "127.0.0.1:" + std::to_string(probe.port());
  { pair::ChannelListener gone = std::move(probe); }
  try {
    pair::LogChannel::connect(address, 100ms);
    FAIL() << "connected to a closed port";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
  }
}

TEST(PairOptions, TicksFollowTheMilliseconds) {
  pair::PairOptions o;
  o.peer = "127.0.0.1:1";
  o.tas = "127.0.0.1:2";
  o.heartbeat = 50ms;
  o.timeout = 1000ms;
  ft::FtConfig c = pair::ft_config_from(o);
  EXPECT_EQ(c.heartbeat_interval_ticks, 5u);
  EXPECT_EQ(c.failure_timeout_ticks, 100u);
  EXPECT_LT(c.lease_ticks, c.failure_timeout_ticks);
  EXPECT_NO_THROW(pair::validate_options(o));
}

TEST(PairOptions, InconsistentOptionsAreRejected) {
  pair::PairOptions o;
  o.tas = "127.0.0.1:2";
  EXPECT_THROW(pair::validate_options(o), Error);  // neither --peer nor --listen
  o.peer = "127.0.0.1:1";
  o.listen = "127.0.0.1:3";
  EXPECT_THROW(pair::validate_options(o), Error);  // both
  o.listen.clear();
  o.timeout = o.heartbeat;
  EXPECT_THROW(pair::validate_options(o), Error);  // timeout not above the heartbeat
  o.timeout = std::chrono::milliseconds(1000);
  o.pair.vm_name.clear();
  EXPECT_THROW(pair::validate_options(o), Error);
}

TEST(StatusLine, NamesEveryFieldOnOneLine) {
  pair::StatusSample s{"primary", ft::NodeState::kPrimary, 1234, 56, 0, 3};
  std::string line = pair::format_status(s, 2048);
  EXPECT_EQ(line, "ftvm vm: role=primary state=primary instret=1234 lag=56 log=2.0KB/s held=3");
}

}  // namespace
