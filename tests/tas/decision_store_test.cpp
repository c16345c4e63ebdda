#include "tas/decision_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "machine/core/error.h"

namespace fs = std::filesystem;
using ftvm::tas::DecisionStore;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/ftvm-tas-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST(DecisionStore, FirstOwnerWinsAndRetryWinsAgain) {
  TempDir dir;
  DecisionStore store((dir.path / "j").string());
  auto a = store.test_and_set("vm1/1", "host-a");
  auto b = store.test_and_set("vm1/1", "host-b");
  auto a2 = store.test_and_set("vm1/1", "host-a");
  EXPECT_TRUE(a.won);
  EXPECT_FALSE(b.won);
  EXPECT_EQ(b.owner, "host-a");
  EXPECT_TRUE(a2.won);
  EXPECT_TRUE(store.test_and_set("vm1/2", "host-b").won);  // a new generation is a new key
}

TEST(DecisionStore, DecisionsSurviveRestart) {
  TempDir dir;
  auto path = (dir.path / "j").string();
  { DecisionStore(path).test_and_set("vm1/1", "host-b"); }
  DecisionStore again(path);
  EXPECT_EQ(again.owner_of("vm1/1").value_or(""), "host-b");
  EXPECT_FALSE(again.test_and_set("vm1/1", "host-a").won);
}

TEST(DecisionStore, TornLastLineIsIgnoredCorruptLineIsAnError) {
  TempDir dir;
  auto path = (dir.path / "j").string();
  { std::ofstream(path) << "won k1 a\nwon k2 b"; }  // crash before the newline: never answered
  DecisionStore store(path);
  EXPECT_EQ(store.owner_of("k1").value_or(""), "a");
  EXPECT_FALSE(store.owner_of("k2").has_value());

  auto bad = (dir.path / "bad").string();
  { std::ofstream(bad) << "won k1 a\nhello world\n"; }
  try {
    DecisionStore s(bad);
    FAIL() << "corrupt journal accepted";
  } catch (const ftvm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(DecisionStore, RejectsKeysThatWouldCorruptTheJournal) {
  TempDir dir;
  DecisionStore store((dir.path / "j").string());
  EXPECT_THROW(store.test_and_set("a b", "x"), ftvm::Error);
  EXPECT_THROW(store.test_and_set("k", "x\ny"), ftvm::Error);
  EXPECT_THROW(store.test_and_set("", "x"), ftvm::Error);
}
