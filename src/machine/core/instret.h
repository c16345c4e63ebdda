#pragma once
// The machine's only clock: the number of guest instructions retired since
// reset. Every input is stamped with one; replay stops at exactly that count.
#include <cstdint>

namespace ftvm::machine {

using Instret = std::uint64_t;

}  // namespace ftvm::machine
