#include "tas/client.h"

#include "machine/core/error.h"
#include "tas/protocol.h"
#include "tas/tcp_exchange.h"

namespace ftvm::tas {

BuiltinClient::BuiltinClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

Answer BuiltinClient::test_and_set(const std::string& key, const std::string& owner) {
  auto ex = tcp_exchange(host_, port_, "TAS " + key + " " + owner + "\n", timeout_, kMaxLine,
                         [](const std::string& in) { return in.find('\n') != std::string::npos; });
  if (!ex.ok) return {Outcome::kUnreachable, {}, ex.error};
  std::string line = ex.answer.substr(0, ex.answer.find('\n'));
  if (line.rfind("WON ", 0) == 0) return {Outcome::kWon, line.substr(4), {}};
  if (line.rfind("LOST ", 0) == 0) return {Outcome::kLost, line.substr(5), {}};
  return {Outcome::kUnreachable, {}, "server said: " + line};
}

std::unique_ptr<TestAndSet> make_builtin_client(const std::string& address, std::chrono::milliseconds timeout) {
  auto hp = split_host_port(address);
  if (!hp) throw Error("tas address must be host:port, got '" + address + "'");
  return std::make_unique<BuiltinClient>(hp->first, hp->second, timeout);
}

}  // namespace ftvm::tas
