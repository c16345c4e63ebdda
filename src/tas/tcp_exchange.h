#pragma once
// One bounded request/answer exchange over a fresh TCP connection: connect,
// send, read until `complete(answer)` or the peer closes, all before a
// deadline. Test-and-set clients must never hang on a dead server.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ftvm::tas {

struct Exchange {
  bool ok = false;
  std::string answer;  // what was read (may be partial when !ok)
  std::string error;   // why it failed
};

Exchange tcp_exchange(const std::string& host, std::uint16_t port, const std::string& request,
                      std::chrono::milliseconds timeout, std::size_t max_answer,
                      const std::function<bool(const std::string&)>& complete);

// "host:port" split; nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& address);

}  // namespace ftvm::tas
