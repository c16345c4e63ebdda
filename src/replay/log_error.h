#pragma once
// The one error type of the replay log: damage, truncation, a version or
// configuration mismatch, or an entry the format cannot carry. It always
// carries the byte offset in the log stream where the problem was found, so a
// damaged recording can be cut back to its last good frame. The message is
// one line and names the offset too ("truncated at offset 812").
#include <cstdint>
#include <string>

#include "machine/core/error.h"

namespace ftvm::replay {

class LogError : public Error {
 public:
  LogError(std::uint64_t offset, const std::string& message) : Error(message), offset_(offset) {}

  // Absolute byte offset in the log stream (0 = first byte of the header).
  std::uint64_t offset() const { return offset_; }

 private:
  std::uint64_t offset_;
};

}  // namespace ftvm::replay
