#pragma once
// Errors that reach a user (bad image, bad config, corrupt log) carry one
// clear line of text. Guest misbehaviour is never an Error: it becomes a trap
// or a device error status inside the guest.
#include <stdexcept>
#include <string>

namespace ftvm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace ftvm
