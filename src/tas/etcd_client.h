#pragma once
// Test-and-set on a real etcd cluster (the production backend): one etcd v3
// transaction, through etcd's JSON gateway, that creates the pair's key only
// if it does not exist (create_revision == 0) with our identity as its value,
// and otherwise reads who holds it. etcd answers a transaction only from a
// quorum, so a minority side learns nothing (kUnreachable) and decides nothing.
#include <chrono>
#include <string>
#include <vector>

#include "tas/client.h"

namespace ftvm::tas {

class EtcdClient : public TestAndSet {
 public:
  // endpoints: "host:port" of each member's client URL (plain http).
  // prefix: namespace for ftvm's keys, e.g. "/ftvm/tas/".
  EtcdClient(std::vector<std::string> endpoints, std::string prefix, std::chrono::milliseconds timeout);
  Answer test_and_set(const std::string& key, const std::string& owner) override;

 private:
  Answer ask(const std::string& endpoint, const std::string& key, const std::string& owner);

  std::vector<std::string> endpoints_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
  std::size_t next_ = 0;  // endpoint to try first: the last one that answered
};

// Helpers, public for tests.
std::string base64_encode(const std::string& raw);
std::string base64_decode(const std::string& text);  // throws ftvm::Error when malformed
std::string etcd_txn_body(const std::string& key, const std::string& owner);

}  // namespace ftvm::tas
