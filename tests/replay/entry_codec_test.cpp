#include "replay/entry_codec.h"

#include <gtest/gtest.h>

#include "log_test_support.h"
#include "replay/log_error.h"

namespace ftvm::replay {
namespace {

using testing::sample_entries;

std::vector<LogEntry> round_trip(const std::vector<LogEntry>& entries, std::vector<std::uint8_t>* bytes_out = nullptr) {
  DeltaContext enc;
  std::vector<std::uint8_t> bytes;
  for (const auto& e : entries) {
    check_encodable(e, enc, 0);
    encode_entry(e, enc, bytes);
  }
  DeltaContext dec;
  PayloadReader reader(bytes, 0);
  std::vector<LogEntry> out;
  while (!reader.at_end()) out.push_back(decode_entry(reader, dec));
  if (bytes_out) *bytes_out = bytes;
  return out;
}

std::size_t encoded_size(const LogEntry& entry, DeltaContext context = {}) {
  std::vector<std::uint8_t> bytes;
  encode_entry(entry, context, bytes);
  return bytes.size();
}

TEST(EntryCodec, RoundTripsEveryEntryType) {
  const auto entries = sample_entries();
  EXPECT_EQ(round_trip(entries), entries);
}

TEST(EntryCodec, RoundTripsEdgeCountsAndValues) {
  const std::vector<LogEntry> entries = {
      LogEntry::time(0, 0),
      LogEntry::time(0, UINT64_MAX),
      LogEntry::time(0, 0),
      LogEntry::irq(0, UINT32_MAX, UINT32_MAX),
      LogEntry::device_data(UINT64_MAX, UINT32_MAX, {}),
      LogEntry::checkpoint(UINT64_MAX, UINT64_MAX, std::vector<std::uint64_t>(kMaxCheckpointExtraWords, UINT64_MAX)),
      LogEntry::end(UINT64_MAX),
  };
  EXPECT_EQ(round_trip(entries), entries);
}

TEST(EntryCodec, RoundTripsOneMebibytePayloads) {
  std::vector<std::uint8_t> big(kMaxEntryDataBytes);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7 + (i >> 11));
  const std::vector<LogEntry> entries = {LogEntry::device_data(5, 1, big), LogEntry::completion(9, 2, 3, 4, big)};
  EXPECT_EQ(round_trip(entries), entries);
}

TEST(EntryCodec, CodesCountsAsDeltasAgainstThePreviousEntry) {
  // The same step costs the same bytes however far into the run it happens.
  DeltaContext early;
  DeltaContext late{1ull << 50, 0};
  EXPECT_EQ(encoded_size(LogEntry::irq(1000, 1, 1), early), encoded_size(LogEntry::irq((1ull << 50) + 1000, 1, 1), late));
  // A step of 1000 with the type folded in fits in two bytes; an irq adds two.
  EXPECT_EQ(encoded_size(LogEntry::irq(1000, 1, 1)), 4u);
  // A time step of a few ticks costs one byte on top of the head.
  DeltaContext clock{0, 5'000'000'000};
  EXPECT_EQ(encoded_size(LogEntry::time(1000, 5'000'000'010), clock), 3u);
}

TEST(EntryCodec, HugeDeltasUseTheEscapeHeadAndStillRoundTrip) {
  const std::vector<LogEntry> entries = {LogEntry::irq(0, 1, 1), LogEntry::irq(UINT64_MAX, 1, 0)};
  std::vector<std::uint8_t> bytes;
  EXPECT_EQ(round_trip(entries, &bytes), entries);
  // Second entry: escape (1) + kind (1) + 10-byte delta + two 1-byte varints.
  EXPECT_EQ(bytes.size(), 3u + 14u);
}

TEST(EntryCodec, EncoderRefusesCountsThatGoBackInTime) {
  DeltaContext context{500, 0};
  try {
    check_encodable(LogEntry::time(499, 1), context, 77);
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), 77u);
    EXPECT_NE(std::string(e.what()).find("goes back in time"), std::string::npos);
  }
}

TEST(EntryCodec, EncoderRefusesOversizePayloads) {
  std::vector<std::uint8_t> too_big(kMaxEntryDataBytes + 1);
  EXPECT_THROW(check_encodable(LogEntry::device_data(0, 1, too_big), {}, 0), LogError);
  EXPECT_THROW(check_encodable(LogEntry::completion(0, 1, 0, 0, too_big), {}, 0), LogError);
  EXPECT_THROW(
      check_encodable(LogEntry::checkpoint(0, 1, std::vector<std::uint64_t>(kMaxCheckpointExtraWords + 1)), {}, 0),
      LogError);
}

TEST(EntryCodec, EncoderRefusesFieldsTheKindDoesNotCarry) {
  LogEntry time = LogEntry::time(5, 1);
  time.device = 3;
  EXPECT_THROW(check_encodable(time, {}, 0), LogError);
  LogEntry irq = LogEntry::irq(5, 1, 1);
  irq.bytes = {1};
  EXPECT_THROW(check_encodable(irq, {}, 0), LogError);
  LogEntry end = LogEntry::end(5);
  end.words = {1};
  EXPECT_THROW(check_encodable(end, {}, 0), LogError);
  LogEntry unknown = LogEntry::end(5);
  unknown.kind = static_cast<EntryKind>(7);
  EXPECT_THROW(check_encodable(unknown, {}, 0), LogError);
}

TEST(EntryCodec, DecoderRejectsCountsThatWrapPast64Bits) {
  DeltaContext context{10, 0};
  std::vector<std::uint8_t> bytes;
  put_varint(bytes, 0);  // escape head
  put_u8(bytes, static_cast<std::uint8_t>(EntryKind::kIrq));
  put_varint(bytes, UINT64_MAX - 5);  // 10 + this wraps
  put_varint(bytes, 1);
  put_varint(bytes, 1);
  PayloadReader reader(bytes, 1000);
  try {
    decode_entry(reader, context);
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), 1000u);
    EXPECT_NE(std::string(e.what()).find("entry at offset 1000 goes back in time"), std::string::npos);
  }
}

TEST(EntryCodec, DecoderRejectsUnknownTypesAndOverlongLengths) {
  std::vector<std::uint8_t> unknown;
  put_varint(unknown, (3 << 3) | 7);
  PayloadReader r1(unknown, 0);
  DeltaContext c1;
  EXPECT_THROW(decode_entry(r1, c1), LogError);

  std::vector<std::uint8_t> long_data;
  put_varint(long_data, static_cast<std::uint64_t>(EntryKind::kDeviceData));
  put_varint(long_data, 1);                       // device
  put_varint(long_data, kMaxEntryDataBytes + 1);  // length over the cap
  PayloadReader r2(long_data, 0);
  DeltaContext c2;
  try {
    decode_entry(r2, c2);
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), 2u);  // the length field
  }

  std::vector<std::uint8_t> huge_length;
  put_varint(huge_length, static_cast<std::uint64_t>(EntryKind::kCompletion));
  put_varint(huge_length, 1);
  put_varint(huge_length, 2);
  put_varint(huge_length, 0);
  put_varint(huge_length, UINT64_MAX);
  PayloadReader r3(huge_length, 0);
  DeltaContext c3;
  EXPECT_THROW(decode_entry(r3, c3), LogError);
}

TEST(EntryCodec, ConvertsToAndFromMachineInputs) {
  using machine::Input;
  using machine::InputKind;
  const Input inputs[] = {
      {InputKind::kTime, 0, 123456, 0, {}},
      {InputKind::kDeviceData, 1, 0, 0, {9, 8, 7}},
      {InputKind::kCompletion, 2, 77, 5, {1}},
      {InputKind::kIrq, 10, 0, 1, {}},
  };
  for (const auto& in : inputs) {
    const LogEntry e = entry_from_input(42, in);
    EXPECT_EQ(e.instret, 42u);
    EXPECT_EQ(static_cast<unsigned>(e.kind), static_cast<unsigned>(in.kind));
    const auto back = input_from_entry(e);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->kind, in.kind);
    EXPECT_EQ(back->device, in.device);
    EXPECT_EQ(back->value, in.value);
    EXPECT_EQ(back->status, in.status);
    EXPECT_EQ(back->bytes, in.bytes);
  }
  EXPECT_FALSE(input_from_entry(LogEntry::checkpoint(1, 0)));
  EXPECT_FALSE(input_from_entry(LogEntry::end(1)));
  EXPECT_THROW(entry_from_input(0, Input{static_cast<InputKind>(99), 0, 0, 0, {}}), Error);
}

}  // namespace
}  // namespace ftvm::replay
