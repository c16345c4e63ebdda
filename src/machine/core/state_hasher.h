#pragma once
// Full-state hashing (xxhash XXH3-64). Every stateful part of the machine
// feeds its guest-visible state here; two machines that executed the same
// inputs from the same initial state produce the same hash.
#include <xxhash.h>

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace ftvm::machine {

class StateHasher {
 public:
  StateHasher() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~StateHasher() { XXH3_freeState(state_); }
  StateHasher(const StateHasher&) = delete;
  StateHasher& operator=(const StateHasher&) = delete;

  void bytes(const void* p, std::size_t n) { XXH3_64bits_update(state_, p, n); }
  template <typename T>
    requires std::is_trivially_copyable_v<T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
  // A short label keeps sections apart (so reordering fields changes the hash).
  void label(std::string_view s) { bytes(s.data(), s.size()); }
  std::uint64_t digest() const { return XXH3_64bits_digest(state_); }

 private:
  XXH3_state_t* state_;
};

}  // namespace ftvm::machine
