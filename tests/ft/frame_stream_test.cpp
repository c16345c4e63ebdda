#include "ft/frame_stream.h"

#include <gtest/gtest.h>

#include "ft/message_codec.h"

namespace ftvm::ft {
namespace {

std::vector<std::uint8_t> stream_of(const std::vector<std::vector<std::uint8_t>>& frames) {
  std::vector<std::uint8_t> s;
  for (const auto& f : frames) {
    auto p = length_prefixed(f);
    s.insert(s.end(), p.begin(), p.end());
  }
  return s;
}

TEST(FrameReader, ReassemblesFramesFedOneByteAtATime) {
  const std::vector<std::vector<std::uint8_t>> frames = {
      encode_message(Message{PairId{"v", 1}, Sender::kPrimary, Heartbeat{1, 2}}), {}, {7, 8, 9}};
  const std::vector<std::uint8_t> s = stream_of(frames);
  FrameReader r(1024);
  std::vector<std::vector<std::uint8_t>> got;
  for (std::uint8_t b : s) {
    r.feed(std::span(&b, 1));
    while (auto f = r.next()) got.push_back(std::move(*f));
  }
  EXPECT_EQ(got, frames);
  EXPECT_EQ(r.buffered(), 0u);
  EXPECT_TRUE(r.error().empty());
}

TEST(FrameReader, WaitsForTheRestOfAPartialFrame) {
  const std::vector<std::uint8_t> s = stream_of({{1, 2, 3, 4, 5}});
  FrameReader r(1024);
  r.feed(std::span(s).first(6));
  EXPECT_FALSE(r.next().has_value());
  r.feed(std::span(s).subspan(6));
  EXPECT_EQ(r.next(), (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
}

TEST(FrameReader, RefusesAnOversizedLengthAndStaysStopped) {
  FrameReader r(16);
  const std::vector<std::uint8_t> huge = {0xff, 0xff, 0xff, 0x7f, 1, 2};
  r.feed(huge);
  EXPECT_FALSE(r.next().has_value());
  EXPECT_NE(r.error().find("exceeds"), std::string::npos);
  r.feed(stream_of({{1}}));
  EXPECT_FALSE(r.next().has_value());
}

}  // namespace
}  // namespace ftvm::ft
