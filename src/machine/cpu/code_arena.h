#pragma once
// Executable memory for translated blocks: one fixed mapping, filled front to
// back and emptied all at once (when full, or when every translation is
// dropped). Nothing is freed piecemeal, so a block that was invalidated while
// it ran stays mapped until the engine is back in its dispatch loop.
#include <cstddef>
#include <cstdint>

namespace ftvm::machine::cpu {

class CodeArena {
 public:
  // Maps `capacity` bytes readable, writable and executable; valid() is false
  // when the host refuses (the engine then stays an interpreter).
  explicit CodeArena(std::size_t capacity);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  bool valid() const { return base_ != nullptr; }
  std::uint8_t* free_begin() const { return base_ + used_; }
  std::size_t free_bytes() const { return capacity_ - used_; }
  // Marks `bytes` after free_begin() as taken by a finished block.
  void commit(std::size_t bytes) { used_ += bytes; }
  void clear() { used_ = 0; }
  std::size_t used() const { return used_; }

 private:
  std::uint8_t* base_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

}  // namespace ftvm::machine::cpu
