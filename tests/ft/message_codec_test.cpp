// Byte framing of FT messages: round trips, and every way a frame can be
// damaged is reported instead of crashing.
#include "ft/message_codec.h"

#include <gtest/gtest.h>

#include "ft/byte_io.h"

namespace ftvm::ft {
namespace {

Message sample_batch() {
  return Message{PairId{"redis-vm", 42}, Sender::kPrimary,
                 LogBatch{77, {LogEntry{5, {1, 2, 3}}, LogEntry{6, {}}, LogEntry{7, {9}}}}};
}

std::vector<Message> samples() {
  return {sample_batch(), Message{PairId{"v", 1}, Sender::kPrimary, Heartbeat{3, 99}},
          Message{PairId{"v", 0xffff'ffff'ffffull}, Sender::kBackup, Ack{12, 40, 38}},
          Message{PairId{"v", 1}, Sender::kPrimary, LogBatch{1, {}}}};
}

// Re-seals a hand-edited frame so that only the edit, not the checksum, is
// what the decoder sees wrong.
std::vector<std::uint8_t> reseal(std::vector<std::uint8_t> frame) {
  frame.resize(frame.size() - 8);
  const std::uint64_t sum = fnv1a64(frame);
  for (int i = 0; i < 8; ++i) frame.push_back(static_cast<std::uint8_t>(sum >> (8 * i)));
  return frame;
}

std::string decode_error(const std::vector<std::uint8_t>& frame) {
  DecodeResult r = decode_message(frame);
  EXPECT_FALSE(r.message.has_value());
  return r.error;
}

TEST(MessageCodec, RoundTripsEveryKind) {
  for (const Message& m : samples()) {
    DecodeResult r = decode_message(encode_message(m));
    ASSERT_TRUE(r.message.has_value()) << r.error;
    EXPECT_EQ(*r.message, m);
  }
}

TEST(MessageCodec, EveryTruncationIsRejected) {
  const std::vector<std::uint8_t> frame = encode_message(sample_batch());
  for (std::size_t n = 0; n < frame.size(); ++n) {
    std::vector<std::uint8_t> cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_message(cut).error.empty()) << n;
  }
}

TEST(MessageCodec, EverySingleByteCorruptionIsRejected) {
  const std::vector<std::uint8_t> frame = encode_message(sample_batch());
  for (std::size_t i = 0; i < frame.size(); ++i) {
    for (std::uint8_t flip : {0x01, 0x80, 0xff}) {
      std::vector<std::uint8_t> bad = frame;
      bad[i] ^= flip;
      EXPECT_FALSE(decode_message(bad).message.has_value()) << "byte " << i;
    }
  }
}

TEST(MessageCodec, RejectsBadHeaderFieldsByName) {
  const std::vector<std::uint8_t> frame = encode_message(sample_batch());
  auto edited = [&](std::size_t at, std::uint8_t value) {
    std::vector<std::uint8_t> f = frame;
    f[at] = value;
    return reseal(f);
  };
  EXPECT_NE(decode_error(edited(0, 'X')).find("magic"), std::string::npos);
  EXPECT_NE(decode_error(edited(4, 9)).find("version"), std::string::npos);
  EXPECT_NE(decode_error(edited(5, 77)).find("kind"), std::string::npos);
  EXPECT_NE(decode_error(edited(6, 3)).find("sender"), std::string::npos);
}

TEST(MessageCodec, AHugeEntryCountIsRejectedBeforeAllocating) {
  // Header 7 bytes + name length 2 + name 8 + generation 8 + probe 8 = 33:
  // the entry count follows.
  std::vector<std::uint8_t> f = encode_message(sample_batch());
  for (int i = 0; i < 4; ++i) f[33 + i] = 0xff;
  EXPECT_NE(decode_error(reseal(f)).find("entries"), std::string::npos);
}

TEST(MessageCodec, AnEntryLengthPastTheEndIsRejected) {
  std::vector<std::uint8_t> f = encode_message(sample_batch());
  // First entry: seq at 37..44, length at 45..48.
  f[48] = 0x7f;
  EXPECT_NE(decode_error(reseal(f)).find("truncated"), std::string::npos);
}

TEST(MessageCodec, TrailingBytesAreRejected) {
  std::vector<std::uint8_t> f = encode_message(Message{PairId{"v", 1}, Sender::kBackup, Ack{1, 2, 2}});
  f.insert(f.end() - 8, 0);
  EXPECT_NE(decode_error(reseal(f)).find("trailing"), std::string::npos);
}

TEST(MessageCodec, AnEmptyVmNameIsRejected) {
  std::vector<std::uint8_t> f = encode_message(Message{PairId{"v", 1}, Sender::kBackup, Ack{}});
  // Name length 1 -> 0 and drop the name byte.
  f[7] = 0;
  f.erase(f.begin() + 9);
  EXPECT_NE(decode_error(reseal(f)).find("name"), std::string::npos);
}

}  // namespace
}  // namespace ftvm::ft
