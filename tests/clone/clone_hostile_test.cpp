// A receiver facing a damaged, truncated or hostile clone stream: always a
// clear CloneError (or "not done yet" for a stream cut short), never a
// crash, never a write outside guest RAM, never an unverified machine.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clone/clone_error.h"
#include "clone/clone_frame.h"
#include "clone/clone_message.h"
#include "clone/clone_receiver.h"
#include "clone_test_support.h"
#include "replay/state_digest.h"

namespace ftvm::clone {
namespace {

using testing::guest_config;
using testing::ScriptedHost;

// One captured clone of a running ticker, shared by the tests (cloning is
// the slow part).
class CloneHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new machine::MachineConfig(guest_config("ticker", 16ull << 20));
    source_ = new machine::Machine(*config_);
    ScriptedHost host;
    for (int i = 0; i < 20; ++i) host.slice(*source_);
    ClonePolicy policy;
    policy.pages_per_message = 32;
    stream_ = new std::vector<std::uint8_t>(testing::capture_clone(*source_, host, policy));
  }
  static void TearDownTestSuite() {
    delete stream_;
    delete source_;
    delete config_;
  }

  static std::vector<CloneMessage> messages() {
    CloneFrameReader reader;
    reader.feed(*stream_);
    std::vector<CloneMessage> out;
    while (auto f = reader.next()) out.push_back(decode_message(f->type, f->payload));
    return out;
  }
  static std::vector<std::uint8_t> encode(const std::vector<CloneMessage>& ms) {
    std::vector<std::uint8_t> out;
    for (const CloneMessage& m : ms) {
      auto b = encode_message(m);
      out.insert(out.end(), b.begin(), b.end());
    }
    return out;
  }
  // Feeds `bytes`; returns the error text ("" when none was thrown).
  static std::string refusal(std::span<const std::uint8_t> bytes, const machine::MachineConfig& config) {
    CloneReceiver receiver(config);
    try {
      receiver.feed(bytes);
    } catch (const CloneError& e) {
      EXPECT_EQ(receiver.take_machine(), nullptr);
      return e.what();
    }
    return "";
  }
  static std::string refusal(const std::vector<CloneMessage>& ms) { return refusal(encode(ms), *config_); }

  static Hello hello() { return std::get<Hello>(messages().front()); }

  static inline machine::MachineConfig* config_ = nullptr;
  static inline machine::Machine* source_ = nullptr;
  static inline std::vector<std::uint8_t>* stream_ = nullptr;
};

TEST_F(CloneHostileTest, TheIntactStreamClonesExactly) {
  CloneReceiver receiver(*config_);
  ASSERT_TRUE(receiver.feed(*stream_));
  auto m = receiver.take_machine();
  EXPECT_EQ(m->state_hash(), source_->state_hash());
  EXPECT_TRUE(receiver.verdict().ok);
  EXPECT_THROW(receiver.feed(std::vector<std::uint8_t>{1}), CloneError) << "bytes after the end";
}

TEST_F(CloneHostileTest, ATruncatedStreamIsNeverAFinishedClone) {
  const std::size_t size = stream_->size();
  for (std::size_t cut = 0; cut < size; cut += (cut + 64 > size) ? 1 : size / 97 + 1) {
    CloneReceiver receiver(*config_);
    bool done = false;
    try {
      done = receiver.feed({stream_->data(), cut});
    } catch (const CloneError& e) {
      ADD_FAILURE() << "a prefix of a good stream is not an error (cut " << cut << "): " << e.what();
    }
    EXPECT_FALSE(done) << "cut at " << cut << " of " << size;
    EXPECT_EQ(receiver.take_machine(), nullptr);
  }
}

TEST_F(CloneHostileTest, AFlippedBitAnywhereIsRefused) {
  const std::size_t size = stream_->size();
  for (std::size_t at = 0; at < size; at += size / 211 + 1) {
    std::vector<std::uint8_t> bad = *stream_;
    bad[at] ^= static_cast<std::uint8_t>(1u << (at % 8));
    CloneReceiver receiver(*config_);
    bool done = false;
    try {
      done = receiver.feed(bad);
    } catch (const CloneError&) {
      continue;
    }
    EXPECT_FALSE(done) << "flip at " << at << " was accepted";
  }
}

TEST_F(CloneHostileTest, AnotherMachineIsRefusedAtTheHello) {
  EXPECT_NE(refusal(*stream_, guest_config("ticker", 32ull << 20)).find("16 MiB of RAM, this one 32 MiB"),
            std::string::npos);
  EXPECT_NE(refusal(*stream_, guest_config("churn", 16ull << 20)).find("configuration differs"), std::string::npos);
  Hello future = hello();
  future.version = 99;
  EXPECT_NE(refusal({future}).find("version 99"), std::string::npos);
  Hello odd_pages = hello();
  odd_pages.page_size = 65536;
  EXPECT_NE(refusal({odd_pages}).find("65536 bytes"), std::string::npos);
}

TEST_F(CloneHostileTest, PagesOutsideRamAreRefusedBeforeAnyWrite) {
  const std::uint64_t pages = config_->ram_size / machine::kPageSize;
  const std::vector<std::uint8_t> data(machine::kPageSize, 0xee);
  for (PageEntry bad : {PageEntry{DataPage{pages, data}}, PageEntry{DataPage{UINT64_MAX, data}},
                        PageEntry{ZeroRun{pages - 1, 2}}, PageEntry{ZeroRun{1, UINT64_MAX}}, PageEntry{ZeroRun{0, 0}}}) {
    std::string why = refusal({hello(), Pages{0, {bad}}});
    EXPECT_NE(why.find("outside RAM"), std::string::npos) << why;
  }
}

TEST_F(CloneHostileTest, MessagesOutOfOrderAreRefused) {
  EXPECT_NE(refusal({Pages{0, {ZeroRun{0, 1}}}}).find("not a hello"), std::string::npos);
  EXPECT_NE(refusal({hello(), hello()}).find("second hello"), std::string::npos);
  EXPECT_NE(refusal({hello(), Pages{3, {ZeroRun{0, 1}}}}).find("round 0 is open"), std::string::npos);
  EXPECT_NE(refusal({hello(), Pages{0, {ZeroRun{0, 2}}}, RoundEnd{0, 5}}).find("carried 2 pages"), std::string::npos);
  EXPECT_NE(refusal({hello(), Verdict{true, 0, 0, ""}}).find("sent a verdict"), std::string::npos);
  // The state before the final round: refused.
  std::vector<CloneMessage> ms = messages();
  EXPECT_NE(refusal({hello(), ms.back()}).find("before the final round"), std::string::npos);
}

TEST_F(CloneHostileTest, PagesThatNeverArrivedAreNamed) {
  std::vector<CloneMessage> ms = messages();
  const std::uint64_t pages = config_->ram_size / machine::kPageSize;
  std::string why = refusal({hello(), Pages{0, {ZeroRun{0, pages - 1}}}, RoundEnd{0, pages - 1},
                             RoundEnd{kFinalRound, 0}, ms.back()});
  EXPECT_NE(why.find("1 RAM pages never arrived (the first is page " + std::to_string(pages - 1)), std::string::npos)
      << why;
}

// A sender that re-frames its lies with good checksums: the digest check
// is what catches them.
TEST_F(CloneHostileTest, TamperedContentFailsVerificationAndSaysWhere) {
  std::vector<CloneMessage> ms = messages();
  // Change one byte of the last data page sent.
  for (auto it = ms.rbegin(); it != ms.rend(); ++it) {
    auto* pages = std::get_if<Pages>(&*it);
    if (!pages) continue;
    auto data = std::find_if(pages->entries.begin(), pages->entries.end(),
                             [](const PageEntry& e) { return std::holds_alternative<DataPage>(e); });
    if (data == pages->entries.end()) continue;
    std::get<DataPage>(*data).bytes[100] ^= 1;
    break;
  }
  std::string why = refusal(ms);
  EXPECT_NE(why.find("does not verify"), std::string::npos) << why;
  EXPECT_NE(why.find("RAM 0x80"), std::string::npos) << why;

  std::vector<CloneMessage> lied = messages();
  Final& fin = std::get<Final>(lied.back());
  fin.digest[1] ^= 1;  // the hart's section
  why = refusal(lied);
  EXPECT_NE(why.find("hart registers/CSRs differ"), std::string::npos) << why;

  lied = messages();
  std::get<Final>(lied.back()).instret += 1;
  EXPECT_NE(refusal(lied).find("the sender says"), std::string::npos);

  lied = messages();
  std::get<Final>(lied.back()).state[40] ^= 0xff;
  EXPECT_NE(refusal(lied).find("refused the source's state"), std::string::npos);

  lied = messages();
  std::get<Final>(lied.back()).digest.pop_back();
  EXPECT_NE(refusal(lied).find("digest has 10 words"), std::string::npos);
}

}  // namespace
}  // namespace ftvm::clone
