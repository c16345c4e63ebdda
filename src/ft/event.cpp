#include "ft/event.h"

namespace ftvm::ft {

std::string_view to_string(TasResult r) {
  switch (r) {
    case TasResult::kWon: return "won";
    case TasResult::kLost: return "lost";
    case TasResult::kUnreachable: return "unreachable";
  }
  return "unknown result";
}

}  // namespace ftvm::ft
