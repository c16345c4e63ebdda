#pragma once
// The one error type of the clone protocol: a damaged or hostile stream, a
// stream that breaks the message order, a clone of another machine, or a
// clone whose state does not verify. One line of text, naming what and
// (for stream damage) the byte offset where it was found.
#include <string>

#include "machine/core/error.h"

namespace ftvm::clone {

class CloneError : public Error {
 public:
  explicit CloneError(const std::string& what) : Error("clone: " + what) {}
};

}  // namespace ftvm::clone
