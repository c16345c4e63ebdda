#include "tas/etcd_client.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "machine/core/error.h"
#include "tas/tcp_exchange.h"

namespace ftvm::tas {

namespace {
constexpr std::size_t kMaxHttpAnswer = 1 << 20;
}

std::string base64_encode(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) throw Error("etcd: malformed base64 in answer");
  std::string out(3 * (text.size() / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) throw Error("etcd: malformed base64 in answer");
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string etcd_txn_body(const std::string& key, const std::string& owner) {
  const std::string k = base64_encode(key);
  nlohmann::json txn = {
      {"compare", {{{"key", k}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}}},
      {"success", {{{"request_put", {{"key", k}, {"value", base64_encode(owner)}}}}}},
      {"failure", {{{"request_range", {{"key", k}}}}}},
  };
  return txn.dump();
}

EtcdClient::EtcdClient(std::vector<std::string> endpoints, std::string prefix, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), prefix_(std::move(prefix)), timeout_(timeout) {
  if (endpoints_.empty()) throw Error("etcd: no endpoints configured");
  for (const auto& e : endpoints_)
    if (!split_host_port(e)) throw Error("etcd: endpoint must be host:port, got '" + e + "'");
}

Answer EtcdClient::test_and_set(const std::string& key, const std::string& owner) {
  std::string why;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    std::size_t idx = (next_ + i) % endpoints_.size();
    Answer a = ask(endpoints_[idx], prefix_ + key, owner);
    if (a.outcome != Outcome::kUnreachable) {
      next_ = idx;
      return a;
    }
    why += (why.empty() ? "" : "; ") + endpoints_[idx] + ": " + a.detail;
  }
  return {Outcome::kUnreachable, {}, why};
}

Answer EtcdClient::ask(const std::string& endpoint, const std::string& key, const std::string& owner) {
  auto hp = split_host_port(endpoint);
  std::string body = etcd_txn_body(key, owner);
  // HTTP/1.0: the answer is not chunked and ends when the server closes.
  std::string req = "POST /v3/kv/txn HTTP/1.0\r\nHost: " + endpoint +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
  auto ex = tcp_exchange(hp->first, hp->second, req, timeout_, kMaxHttpAnswer, [](const std::string&) { return false; });
  // The predicate never completes early, so success means "closed by the server".
  if (!ex.ok && ex.error != "connection closed") return {Outcome::kUnreachable, {}, ex.error};
  const std::string& http = ex.answer;
  auto header_end = http.find("\r\n\r\n");
  if (http.rfind("HTTP/1.", 0) != 0 || header_end == std::string::npos)
    return {Outcome::kUnreachable, {}, "not an HTTP answer"};
  if (http.compare(9, 3, "200") != 0)
    return {Outcome::kUnreachable, {}, "etcd said " + http.substr(0, http.find('\r'))};
  try {
    auto j = nlohmann::json::parse(http.substr(header_end + 4));
    if (j.value("succeeded", false)) return {Outcome::kWon, owner, {}};
    const auto& kvs = j.at("responses").at(0).at("response_range").at("kvs");
    std::string holder = base64_decode(kvs.at(0).at("value").get<std::string>());
    return {holder == owner ? Outcome::kWon : Outcome::kLost, holder, {}};
  } catch (const std::exception& e) {
    return {Outcome::kUnreachable, {}, std::string("malformed etcd answer: ") + e.what()};
  }
}

}  // namespace ftvm::tas
