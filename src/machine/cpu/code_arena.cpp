#include "machine/cpu/code_arena.h"

#include <sys/mman.h>

namespace ftvm::machine::cpu {

CodeArena::CodeArena(std::size_t capacity) {
  void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<std::uint8_t*>(p);
  capacity_ = capacity;
}

CodeArena::~CodeArena() {
  if (base_ != nullptr) munmap(base_, capacity_);
}

}  // namespace ftvm::machine::cpu
