#include "ft/output_gate.h"

#include <gtest/gtest.h>

namespace ftvm::ft {
namespace {

TEST(OutputGate, ReleasesTheAckedPrefixInOrder) {
  OutputGate g;
  g.hold(1, 3);
  g.hold(2, 5);
  g.hold(3, 5);
  g.hold(4, 8);
  EXPECT_TRUE(g.release_through(2).empty());
  EXPECT_EQ(g.release_through(5), (std::vector<OutputId>{1, 2, 3}));
  EXPECT_EQ(g.held(), 1u);
  EXPECT_EQ(g.take_all(), std::vector<OutputId>{4});
  EXPECT_EQ(g.held(), 0u);
}

}  // namespace
}  // namespace ftvm::ft
