// Runs a flat bare-metal binary (objcopy -O binary of a bench/workloads ELF)
// on a bare hart, to time the engines without the rest of the machine:
//   hart_workload interp|jit FILE.bin
// The workloads end by storing to the test finisher, which is not mapped
// here: that store faults into a trap loop, which run() reports as kEvent
// with no progress. Prints the retired instruction count and a state digest
// (equal for both engines when they agree).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

#include "machine/core/bus.h"
#include "machine/core/guest_ram.h"
#include "machine/core/state_hasher.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/hart.h"

int main(int argc, char** argv) {
  using namespace ftvm::machine;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s interp|jit FILE.bin\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::uint64_t kBase = 0x8000'0000;
  GuestRam ram(kBase, 64ull << 20);
  if (image.empty() || !ram.write(kBase, image.data(), image.size())) {
    std::fprintf(stderr, "cannot load %s\n", argv[2]);
    return 2;
  }
  Bus bus(ram);
  VirtualClock clock(100);
  Hart hart(bus, clock);
  hart.set_engine(std::string_view(argv[1]) == "jit" ? EngineKind::kJit : EngineKind::kInterpreter);
  hart.reset(kBase);
  for (;;) {
    Instret before = hart.instret();
    HartStop stop = hart.run(before + 1'000'000'000);
    if (stop != HartStop::kLimit && hart.instret() == before) break;
  }
  StateHasher h;
  hart.hash_state(h);
  std::printf("instret %llu digest %016llx engine %s\n", static_cast<unsigned long long>(hart.instret()),
              static_cast<unsigned long long>(h.digest()),
              hart.engine() == EngineKind::kJit ? "jit" : "interp");
  return 0;
}
