#pragma once
// Test-and-set as the FT layer sees it: ask for a key, learn whether we won.
// Backends: the built-in server (here) and, later, etcd.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ftvm::tas {

enum class Outcome {
  kWon,          // the key is ours (we set it now, or had set it before)
  kLost,         // someone else holds it
  kUnreachable,  // no answer: try again later, decide nothing
};

struct Answer {
  Outcome outcome;
  std::string owner;   // when won or lost
  std::string detail;  // when unreachable: why
};

class TestAndSet {
 public:
  virtual ~TestAndSet() = default;
  virtual Answer test_and_set(const std::string& key, const std::string& owner) = 0;
};

// Client of `ftvm tas serve`. Every call opens a connection, asks once and
// closes it, bounded by `timeout`, so a dead server never blocks the caller.
class BuiltinClient : public TestAndSet {
 public:
  BuiltinClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout);
  Answer test_and_set(const std::string& key, const std::string& owner) override;

 private:
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
};

// "host:port" -> client; throws ftvm::Error on a malformed address.
std::unique_ptr<TestAndSet> make_builtin_client(const std::string& address, std::chrono::milliseconds timeout);

}  // namespace ftvm::tas
