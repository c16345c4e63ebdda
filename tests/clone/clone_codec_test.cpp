// The clone stream's framing and messages: round trips in any split, and
// every kind of damage refused with a reason.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <vector>

#include "clone/clone_error.h"
#include "clone/clone_frame.h"
#include "clone/clone_message.h"

namespace ftvm::clone {
namespace {

std::vector<std::uint8_t> page_of(std::uint8_t fill) { return std::vector<std::uint8_t>(machine::kPageSize, fill); }

std::vector<CloneMessage> sample_messages() {
  Pages pages;
  pages.round = 2;
  pages.entries = {ZeroRun{0, 5}, DataPage{7, page_of(0xab)}, ZeroRun{9, 1}};
  Final fin;
  fin.instret = 123456;
  fin.state_hash = 0x1122334455667788ull;
  fin.digest = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  fin.state = {9, 8, 7};
  return {Hello{kCloneProtocolVersion, 0xfeed, 64ull << 20, machine::kPageSize, 42}, pages, RoundEnd{2, 7}, fin,
          Verdict{false, 5, 6, "no"}};
}

std::vector<CloneMessage> decode_all(std::span<const std::uint8_t> bytes, std::size_t piece) {
  CloneFrameReader reader;
  std::vector<CloneMessage> out;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    reader.feed(bytes.subspan(at, std::min(piece, bytes.size() - at)));
    while (auto frame = reader.next()) out.push_back(decode_message(frame->type, frame->payload));
  }
  EXPECT_EQ(reader.buffered(), 0u);
  return out;
}

TEST(CloneCodec, MessagesRoundTripInAnySplit) {
  std::vector<std::uint8_t> stream;
  for (const CloneMessage& m : sample_messages()) {
    auto bytes = encode_message(m);
    stream.insert(stream.end(), bytes.begin(), bytes.end());
  }
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, stream.size()})
    EXPECT_EQ(decode_all(stream, piece), sample_messages()) << "piece " << piece;
}

TEST(CloneCodec, PagesFromRamReferencesDecodeLikeOwnedPages) {
  auto data = page_of(0x5a);
  std::vector<PageRef> refs = {{3, 2, nullptr}, {5, 1, data.data()}};
  std::vector<std::uint8_t> bytes;
  append_pages_message(bytes, 1, refs);
  auto decoded = decode_all(bytes, bytes.size());
  ASSERT_EQ(decoded.size(), 1u);
  Pages expected{1, {ZeroRun{3, 2}, DataPage{5, data}}};
  EXPECT_EQ(std::get<Pages>(decoded[0]), expected);
}

TEST(CloneCodec, EveryFlippedBitIsCaught) {
  Pages pages{0, {DataPage{1, page_of(1)}}};
  const auto good = encode_message(pages);
  // Every bit of the header and the trailer, and a spread through the page.
  for (std::size_t byte = 0; byte < good.size(); byte += (byte < 32 || byte + 16 > good.size()) ? 1 : 97) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = good;
      bad[byte] ^= static_cast<std::uint8_t>(1u << bit);
      CloneFrameReader reader;
      reader.feed(bad);
      bool refused = false;
      try {
        auto frame = reader.next();
        // A flipped length can only make the reader wait for more bytes.
        refused = !frame.has_value();
        if (frame) decode_message(frame->type, frame->payload);
      } catch (const CloneError&) {
        refused = true;
      }
      EXPECT_TRUE(refused) << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(CloneCodec, NotACloneStreamFailsAtOnce) {
  CloneFrameReader reader;
  const std::uint8_t http[] = {'G', 'E'};
  reader.feed(http);
  EXPECT_THROW(reader.next(), CloneError);
}

// A payload with a valid frame around it: the decoder must still refuse it.
CloneFrame framed(std::uint8_t type, std::vector<std::uint8_t> payload) { return {type, std::move(payload)}; }

TEST(CloneCodec, MalformedPayloadsAreRefusedWithAReason) {
  auto hello = encode_message(Hello{});
  std::vector<std::uint8_t> hello_payload(hello.begin() + kCloneFrameHeaderBytes, hello.end() - kCloneFrameTrailerBytes);
  struct Case {
    CloneFrame frame;
    const char* reason;
  } cases[] = {
      {framed(9, {}), "unknown message type"},
      {framed(1, {1, 2, 3}), "hello is truncated"},
      {framed(1, [&] { auto p = hello_payload; p.push_back(0); return p; }()), "bytes after the end"},
      // Pages claiming 1000 entries in 8 bytes: refused before any allocation.
      {framed(2, {0, 0, 0, 0, 0xe8, 0x03, 0, 0}), "more entries than it holds"},
      // One data page cut short.
      {framed(2, [] {
         std::vector<std::uint8_t> p = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
         p.resize(p.size() + 100);
         return p;
       }()),
       "shorter than a page"},
      {framed(2, [] {
         std::vector<std::uint8_t> p = {0, 0, 0, 0, 1, 0, 0, 0, 7};
         p.resize(p.size() + 16);
         return p;
       }()),
       "unknown page entry kind"},
      {framed(5, [] {
         std::vector<std::uint8_t> p(17, 0);
         p.insert(p.end(), {0xff, 0xff, 0, 0});  // 65535 bytes of text
         return p;
       }()),
       "too long"},
  };
  for (const Case& c : cases) {
    try {
      decode_message(c.frame.type, c.frame.payload);
      ADD_FAILURE() << "accepted: " << c.reason;
    } catch (const CloneError& e) {
      EXPECT_NE(std::string(e.what()).find(c.reason), std::string::npos) << e.what();
    }
  }
}

TEST(CloneCodec, HugeLengthIsRefusedBeforeItIsWaitedFor) {
  // A well-formed header (its check is right) announcing 1 GiB.
  std::vector<std::uint8_t> header = {'F', 'T', 'C', 'L', 2, 0, 0, 0, 0x40};
  const std::uint32_t check = XXH32(header.data(), header.size(), 0);
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<std::uint8_t>(check >> (8 * i)));
  CloneFrameReader reader;
  reader.feed(header);
  try {
    reader.next();
    ADD_FAILURE() << "accepted a 1 GiB frame";
  } catch (const CloneError& e) {
    EXPECT_NE(std::string(e.what()).find("above the limit"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ftvm::clone
