// LogEncoder and LogDecoder together: framing, chunked feeding, damage.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>

#include "log_test_support.h"
#include "replay/frame.h"
#include "replay/log_decoder.h"
#include "replay/log_encoder.h"
#include "replay/varint.h"

namespace ftvm::replay {
namespace {

using testing::decode_all;
using testing::encode_log;
using testing::entries_of;
using testing::kTestConfigHash;
using testing::sample_entries;
using testing::test_header;

bool contains(const LogError& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

std::size_t header_size() { return encode_header(test_header()).size(); }

// Start offsets of every frame in an encoded log, plus the end offset.
std::vector<std::size_t> frame_boundaries(const std::vector<std::uint8_t>& log) {
  std::vector<std::size_t> bounds{header_size()};
  while (bounds.back() < log.size()) {
    const auto h = parse_frame_header(std::span(log).subspan(bounds.back()), bounds.back());
    bounds.push_back(bounds.back() + h->total_size());
  }
  return bounds;
}

TEST(LogStream, RoundTripsWithSequenceNumbersAndHeader) {
  const auto entries = sample_entries();
  const auto d = decode_all(encode_log(entries, 3));
  ASSERT_FALSE(d.error) << d.error->what();
  EXPECT_EQ(entries_of(d.entries), entries);
  for (std::size_t i = 0; i < d.entries.size(); ++i) EXPECT_EQ(d.entries[i].sequence, i);
  ASSERT_TRUE(d.header);
  EXPECT_EQ(*d.header, test_header());
  EXPECT_TRUE(d.ended);
}

TEST(LogStream, ByteByByteFeedingYieldsTheSameEntries) {
  const auto log = encode_log(sample_entries(), 2);
  const auto whole = decode_all(log);
  for (std::size_t chunk : {1, 2, 3, 7, 64}) {
    const auto pieces = decode_all(log, chunk);
    ASSERT_FALSE(pieces.error) << pieces.error->what();
    EXPECT_EQ(pieces.entries, whole.entries) << "chunk " << chunk;
  }
}

TEST(LogStream, EntriesAppearOnlyWhenTheirFrameIsComplete) {
  LogEncoder enc(test_header());
  EXPECT_EQ(enc.append(LogEntry::time(10, 1)), 0u);
  EXPECT_EQ(enc.append(LogEntry::irq(20, 3, 1)), 1u);
  EXPECT_EQ(enc.open_entries(), 2u);
  LogDecoder dec;
  dec.feed(enc.take_bytes());  // header only so far
  EXPECT_TRUE(dec.header());
  EXPECT_FALSE(dec.next());
  enc.flush();
  EXPECT_EQ(enc.open_entries(), 0u);
  const auto frame = enc.take_bytes();
  dec.feed(std::span(frame).first(frame.size() - 1));
  EXPECT_FALSE(dec.next());
  const std::uint64_t frame_start = dec.offset();
  EXPECT_EQ(frame_start, header_size());
  dec.feed(std::span(frame).last(1));
  auto first = dec.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->sequence, 0u);
  EXPECT_EQ(dec.next()->entry, LogEntry::irq(20, 3, 1));
  EXPECT_EQ(dec.offset(), frame_start + frame.size());
  EXPECT_EQ(dec.next_sequence(), 2u);
}

TEST(LogStream, FramesCloseByThemselvesAtTheTargetSize) {
  EncoderOptions options;
  options.frame_target_bytes = 64;
  LogEncoder enc(test_header(), options);
  enc.take_bytes();
  for (int i = 0; i < 100; ++i) enc.append(LogEntry::device_data(static_cast<std::uint64_t>(i), 1, {1, 2, 3, 4, 5, 6, 7}));
  EXPECT_LT(enc.open_entries(), 100u);
  EXPECT_FALSE(enc.take_bytes().empty());
}

TEST(LogStream, NothingMayFollowTheEndMarker) {
  LogEncoder enc(test_header());
  enc.append(LogEntry::end(5));
  EXPECT_TRUE(enc.ended());
  EXPECT_EQ(enc.open_entries(), 0u);  // the end marker flushes
  EXPECT_THROW(enc.append(LogEntry::time(6, 1)), LogError);

  // A decoder refuses frames after the end frame.
  auto log = enc.take_bytes();
  std::vector<std::uint8_t> extra_payload;
  put_varint(extra_payload, (1 << 3) | static_cast<std::uint64_t>(EntryKind::kIrq));
  put_varint(extra_payload, 1);
  put_varint(extra_payload, 1);
  const std::size_t end_of_log = log.size();
  append_frame(log, extra_payload, nullptr);
  const auto d = decode_all(log);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset(), end_of_log);
  EXPECT_EQ(d.entries.size(), 1u);
}

TEST(LogStream, EveryTruncationGivesACleanPrefixOrATruncationErrorAtTheFrameStart) {
  const auto entries = sample_entries();
  const auto log = encode_log(entries, 2);
  const auto bounds = frame_boundaries(log);
  for (std::size_t cut = 0; cut <= log.size(); ++cut) {
    const auto d = decode_all(std::span(log).first(cut), 5);
    // Entries of every frame wholly inside the cut survive, nothing more.
    std::size_t whole_frames = 0;
    while (whole_frames + 1 < bounds.size() && bounds[whole_frames + 1] <= cut) ++whole_frames;
    const std::size_t expected = std::min(entries.size(), whole_frames * 2);
    ASSERT_EQ(d.entries.size(), expected) << "cut " << cut;
    EXPECT_EQ(entries_of(d.entries), std::vector<LogEntry>(entries.begin(), entries.begin() + expected));
    const bool on_boundary = std::find(bounds.begin(), bounds.end(), cut) != bounds.end();
    if (on_boundary) {
      EXPECT_FALSE(d.error) << "cut " << cut << ": " << d.error->what();
      EXPECT_EQ(d.ended, cut == log.size());
    } else {
      ASSERT_TRUE(d.error) << "cut " << cut;
      const std::size_t frame_start = cut < bounds.front() ? 0 : bounds[whole_frames];
      EXPECT_EQ(d.error->offset(), frame_start) << "cut " << cut;
      EXPECT_TRUE(contains(*d.error, "truncated at offset " + std::to_string(frame_start))) << d.error->what();
    }
  }
}

TEST(LogStream, EverySingleBitFlipIsDetectedAtItsFrame) {
  const auto log = encode_log(sample_entries(), 3);
  const auto bounds = frame_boundaries(log);
  for (std::size_t bit = 0; bit < log.size() * 8; ++bit) {
    auto damaged = log;
    damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const auto d = decode_all(damaged);
    ASSERT_TRUE(d.error) << "bit " << bit << " flipped but not detected";
    const std::size_t byte = bit / 8;
    if (byte < bounds.front()) {
      EXPECT_LT(d.error->offset(), bounds.front()) << "bit " << bit;
      EXPECT_TRUE(d.entries.empty());
      continue;
    }
    const auto frame = std::upper_bound(bounds.begin(), bounds.end(), byte) - 1;
    EXPECT_EQ(d.error->offset(), *frame) << "bit " << bit;
    EXPECT_TRUE(contains(*d.error, "checksum mismatch in frame")) << d.error->what();
    EXPECT_EQ(d.entries.size(), static_cast<std::size_t>(frame - bounds.begin()) * 3);
  }
}

TEST(LogStream, RejectsAWrongMagic) {
  auto log = encode_log(sample_entries());
  log[0] = 'X';
  const auto d = decode_all(log);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset(), 0u);
  EXPECT_TRUE(contains(*d.error, "bad magic"));
  // Detected from the first byte, without waiting for the rest.
  LogDecoder dec;
  dec.feed(std::span(log).first(1));
  EXPECT_THROW(dec.next(), LogError);
}

TEST(LogStream, RejectsAnotherFormatVersion) {
  auto log = encode_log(sample_entries());
  log[8] = static_cast<std::uint8_t>(kLogFormatVersion + 1);
  const auto d = decode_all(log);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset(), 8u);
  EXPECT_TRUE(contains(*d.error, "unsupported log format version 2")) << d.error->what();
}

TEST(LogStream, RejectsADifferentConfigHashOnlyWhenOneIsExpected) {
  const auto log = encode_log(sample_entries());
  DecoderOptions same{kTestConfigHash};
  EXPECT_FALSE(decode_all(log, SIZE_MAX, same).error);
  DecoderOptions other{kTestConfigHash ^ 1};
  const auto d = decode_all(log, SIZE_MAX, other);
  ASSERT_TRUE(d.error);
  EXPECT_TRUE(contains(*d.error, "machine configuration")) << d.error->what();
  EXPECT_TRUE(d.entries.empty());
  EXPECT_FALSE(decode_all(log).error);  // no expectation: any config
}

TEST(LogStream, EmptyInputIsATruncatedHeader) {
  const auto d = decode_all({});
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset(), 0u);
  EXPECT_TRUE(contains(*d.error, "truncated at offset 0"));
}

TEST(LogStream, RejectsOverlongCreationInfo) {
  EXPECT_THROW(LogEncoder(LogHeader{1, std::string(kMaxCreationInfoBytes + 1, 'x')}), LogError);
  // A forged header length over the limit is refused before any wait.
  auto log = encode_header(test_header());
  log[20] = 0xff;
  log[21] = 0xff;
  LogDecoder dec;
  dec.feed(log);
  EXPECT_THROW(dec.next(), LogError);
}

// A frame whose header checksum is right but whose length claims more than
// the format allows must be refused at once, not waited for or allocated.
TEST(LogStream, RejectsFrameLengthsOverTheLimit) {
  auto log = encode_header(test_header());
  const std::size_t frame_start = log.size();
  std::vector<std::uint8_t> header;
  put_le(header, 0xffff'fff0u, 4);
  put_le(header, 0xffff'fff0u, 4);
  put_u8(header, 0);
  put_le(header, XXH32(header.data(), header.size(), 0), 4);
  log.insert(log.end(), header.begin(), header.end());
  LogDecoder dec;
  dec.feed(log);
  try {
    dec.next();
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), frame_start);
    EXPECT_TRUE(contains(e, "exceeds")) << e.what();
  }
}

TEST(LogStream, RejectsEntryLengthsOverTheLimitInsideAValidFrame) {
  auto log = encode_header(test_header());
  const std::size_t frame_start = log.size();
  std::vector<std::uint8_t> payload;
  put_varint(payload, static_cast<std::uint64_t>(EntryKind::kDeviceData));
  put_varint(payload, 1);
  put_varint(payload, std::uint64_t{1} << 40);
  append_frame(log, payload, nullptr);
  const auto d = decode_all(log);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->offset(), frame_start + kFrameHeaderBytes + 2);
}

TEST(LogStream, RejectsEntriesThatGoBackInTime) {
  LogEncoder enc(test_header());
  enc.append(LogEntry::time(1000, 1));
  EXPECT_THROW(enc.append(LogEntry::time(999, 2)), LogError);
  EXPECT_EQ(enc.next_sequence(), 1u);  // the refused entry took no number

  // Forged bytes: a delta that wraps the count past 2^64.
  enc.flush();
  auto log = enc.take_bytes();
  const std::size_t frame_start = log.size();
  std::vector<std::uint8_t> payload;
  put_varint(payload, 0);
  put_u8(payload, static_cast<std::uint8_t>(EntryKind::kTime));
  put_varint(payload, UINT64_MAX - 10);
  put_varint(payload, 0);
  append_frame(log, payload, nullptr);
  const auto d = decode_all(log);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.entries.size(), 1u);
  const std::size_t entry_offset = frame_start + kFrameHeaderBytes;
  EXPECT_EQ(d.error->offset(), entry_offset);
  EXPECT_TRUE(contains(*d.error, "entry at offset " + std::to_string(entry_offset) + " goes back in time"));
}

TEST(LogStream, CompressedFramesRoundTripAndShrinkRepetitiveData) {
  std::vector<LogEntry> entries;
  for (std::uint64_t i = 0; i < 200; ++i) entries.push_back(LogEntry::device_data(i * 50, 1, std::vector<std::uint8_t>(512, 0x5a)));
  EncoderOptions zstd;
  zstd.compress = true;
  const auto packed = encode_log(entries, 50, zstd);
  const auto plain = encode_log(entries, 50);
  EXPECT_LT(packed.size() * 10, plain.size());
  const auto d = decode_all(packed, 100);
  ASSERT_FALSE(d.error) << d.error->what();
  EXPECT_EQ(entries_of(d.entries), entries);
}

TEST(LogStream, BitFlipsInCompressedFramesAreDetected) {
  std::vector<LogEntry> entries;
  for (std::uint64_t i = 0; i < 40; ++i) entries.push_back(LogEntry::device_data(i, 2, std::vector<std::uint8_t>(64, 1)));
  EncoderOptions zstd;
  zstd.compress = true;
  const auto log = encode_log(entries, 20, zstd);
  for (std::size_t bit = header_size() * 8; bit < log.size() * 8; ++bit) {
    auto damaged = log;
    damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    ASSERT_TRUE(decode_all(damaged).error) << "bit " << bit;
  }
}

TEST(LogStream, EncodesSpacedTimeEntriesInUnderFourBytesEach) {
  LogEncoder enc(test_header());
  const std::size_t header_bytes = enc.take_bytes().size();
  // ~1000 instructions apart with some jitter; the clock ticks once per 100.
  std::uint64_t instret = 0;
  std::uint64_t mtime = 5'000'000'000;
  constexpr int kEntries = 10'000;
  for (int i = 0; i < kEntries; ++i) {
    instret += 900 + static_cast<std::uint64_t>((i * 37) % 200);
    mtime += 9 + static_cast<std::uint64_t>(i % 3);
    enc.append(LogEntry::time(instret, mtime));
  }
  enc.flush();
  const std::size_t body = enc.take_bytes().size();
  const double per_entry = static_cast<double>(body) / kEntries;
  std::printf("[ size     ] %d time entries: %zu bytes after a %zu-byte header = %.3f bytes/entry\n", kEntries,
              body, header_bytes, per_entry);
  EXPECT_LT(per_entry, 4.0);
}

}  // namespace
}  // namespace ftvm::replay
