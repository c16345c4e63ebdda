#pragma once
// The built-in test-and-set service's wire protocol: one text line per
// request and per answer, over TCP.
//
//   request  "TAS <key> <owner>\n"  ->  "WON <owner>\n" | "LOST <owner>\n"
//   request  "GET <key>\n"          ->  "OWNER <owner>\n" | "NONE\n"
//   anything else                   ->  "ERR <reason>\n"
//
// Lines longer than kMaxLine are an error and close the connection.
#include <cstddef>
#include <optional>
#include <string>

namespace ftvm::tas {

inline constexpr std::size_t kMaxLine = 1024;

struct Request {
  enum class Op { kTestAndSet, kGet } op;
  std::string key;
  std::string owner;  // kTestAndSet only
};

// Parses one line (without its newline); nullopt with `error` set when malformed.
std::optional<Request> parse_request(const std::string& line, std::string& error);

}  // namespace ftvm::tas
