#include "ft/log_buffer.h"

#include <gtest/gtest.h>

#include "ft/node_harness.h"

namespace ftvm::ft {
namespace {

using testing::entries;
using testing::entry;

TEST(LogBuffer, CountsEntriesAndBytesAndForgetsAckedOnes) {
  LogBuffer b;
  for (const LogEntry& e : entries(1, 4, 10)) b.push(e);
  EXPECT_EQ(b.entries(), 4u);
  EXPECT_EQ(b.bytes(), 40u);
  b.drop_through(2);
  EXPECT_EQ(b.entries(), 2u);
  EXPECT_EQ(b.bytes(), 20u);
  b.drop_through(1);  // already gone: no change
  EXPECT_EQ(b.entries(), 2u);
  b.clear();
  EXPECT_EQ(b.entries(), 0u);
  EXPECT_EQ(b.bytes(), 0u);
}

TEST(LogBuffer, CopiesARangeWithinBothBounds) {
  LogBuffer b;
  for (const LogEntry& e : entries(5, 9, 10)) b.push(e);
  EXPECT_EQ(b.copy_from(6, 2, 1000), entries(6, 7, 10));
  EXPECT_EQ(b.copy_from(6, 10, 25), entries(6, 7, 10));
  EXPECT_EQ(b.copy_from(9, 10, 1000), entries(9, 9, 10));
  EXPECT_TRUE(b.copy_from(10, 10, 1000).empty());
  EXPECT_TRUE(b.copy_from(4, 10, 1000).empty());  // already acked
}

TEST(LogBuffer, AnOversizedEntryStillGoesOutAlone) {
  LogBuffer b;
  b.push(entry(1, 500));
  b.push(entry(2, 1));
  EXPECT_EQ(b.copy_from(1, 10, 100).size(), 1u);
}

}  // namespace
}  // namespace ftvm::ft
