#pragma once
// The test-and-set service's memory: which owner won each key. Every decision
// is appended to a file and fsync'ed before anyone is told about it, so a
// restarted server answers exactly as before (a decision is never undone).
#include <map>
#include <optional>
#include <string>

namespace ftvm::tas {

class DecisionStore {
 public:
  // Opens (creating if needed) the journal at `path` and replays it.
  // Throws ftvm::Error on an unreadable or corrupt journal.
  explicit DecisionStore(std::string path);
  ~DecisionStore();
  DecisionStore(const DecisionStore&) = delete;
  DecisionStore& operator=(const DecisionStore&) = delete;

  struct Result {
    bool won;           // true when `owner` holds the key (now or from before)
    std::string owner;  // the key's owner after the call
  };
  // Atomically: if `key` has no owner, make it `owner` (durably); report who owns it.
  // Asking again with the same owner wins again (a retried request is safe).
  Result test_and_set(const std::string& key, const std::string& owner);
  std::optional<std::string> owner_of(const std::string& key) const;

 private:
  void load();
  void append(const std::string& key, const std::string& owner);

  std::string path_;
  int fd_ = -1;
  std::map<std::string, std::string> owners_;
};

// Keys and owners are printable ASCII without spaces or control characters,
// at most 256 bytes; anything else is rejected before it reaches the journal.
bool valid_token(const std::string& s);

}  // namespace ftvm::tas
