#include "replay/varint.h"

#include <gtest/gtest.h>

#include "replay/log_error.h"

namespace ftvm::replay {
namespace {

std::uint64_t read_one(const std::vector<std::uint8_t>& bytes) {
  PayloadReader r(bytes, 100);
  const std::uint64_t v = r.varint();
  EXPECT_TRUE(r.at_end());
  return v;
}

TEST(Varint, RoundTripsEdgeValuesWithMinimalLength) {
  const std::pair<std::uint64_t, std::size_t> cases[] = {
      {0, 1}, {1, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {UINT32_MAX, 5}, {UINT64_MAX >> 1, 9},
      {UINT64_MAX, 10}};
  for (auto [value, length] : cases) {
    std::vector<std::uint8_t> out;
    put_varint(out, value);
    EXPECT_EQ(out.size(), length) << value;
    EXPECT_EQ(read_one(out), value);
  }
}

TEST(Varint, ZigzagMapsSmallMagnitudesToSmallNumbers) {
  EXPECT_EQ(zigzag_encode(0), 0u);
  EXPECT_EQ(zigzag_encode(-1), 1u);
  EXPECT_EQ(zigzag_encode(1), 2u);
  EXPECT_EQ(zigzag_encode(-2), 3u);
  for (std::int64_t v : {INT64_MIN, INT64_MAX, std::int64_t{-12345}, std::int64_t{99}}) {
    EXPECT_EQ(zigzag_decode(zigzag_encode(v)), v);
  }
}

TEST(Varint, RejectsOverflowingTenthByte) {
  std::vector<std::uint8_t> bytes(9, 0xff);
  bytes.push_back(0x02);
  PayloadReader r(bytes, 100);
  try {
    r.varint();
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), 100u);
    EXPECT_NE(std::string(e.what()).find("overflows"), std::string::npos);
  }
}

TEST(Varint, RejectsNonCanonicalEncoding) {
  const std::vector<std::uint8_t> bytes{0x81, 0x00};
  PayloadReader r(bytes, 7);
  EXPECT_THROW(r.varint(), LogError);
}

TEST(Varint, ReportsRunningPastTheEndAtTheFieldOffset) {
  const std::vector<std::uint8_t> bytes{0x05, 0x80, 0x80};
  PayloadReader r(bytes, 50);
  EXPECT_EQ(r.varint(), 5u);
  try {
    r.varint();
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_EQ(e.offset(), 53u);
  }
}

TEST(Varint, Varint32RejectsWideValues) {
  std::vector<std::uint8_t> bytes;
  put_varint(bytes, std::uint64_t{UINT32_MAX} + 1);
  PayloadReader r(bytes, 0);
  EXPECT_THROW(r.varint32("device slot"), LogError);
}

}  // namespace
}  // namespace ftvm::replay
