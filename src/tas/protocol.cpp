#include "tas/protocol.h"

#include <sstream>

#include "tas/decision_store.h"

namespace ftvm::tas {

std::optional<Request> parse_request(const std::string& line, std::string& error) {
  std::istringstream in(line);
  std::string op, key, owner, extra;
  in >> op >> key;
  if (op == "TAS") {
    in >> owner;
    if (!valid_token(key) || !valid_token(owner) || (in >> extra)) {
      error = "usage: TAS <key> <owner>";
      return std::nullopt;
    }
    return Request{Request::Op::kTestAndSet, key, owner};
  }
  if (op == "GET") {
    if (!valid_token(key) || (in >> extra)) {
      error = "usage: GET <key>";
      return std::nullopt;
    }
    return Request{Request::Op::kGet, key, {}};
  }
  error = "unknown request";
  return std::nullopt;
}

}  // namespace ftvm::tas
