// Guest MIPS of the hart on a CPU-bound bare-metal loop: integer ALU work, a
// load and a store per iteration, a call and a return. Reported as the
// "guest_MIPS" counter (instructions retired per second of host time).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "machine/core/bus.h"
#include "machine/core/guest_ram.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/hart.h"
#include "machine/cpu/rv_encoding.h"

namespace {

using namespace ftvm::machine;
using namespace ftvm::machine::rv;

constexpr std::uint64_t kRamBase = 0x8000'0000;
enum : unsigned { zero = 0, ra = 1, t0 = 5, t1 = 6, s0 = 8, a0 = 10, a1 = 11, a2 = 12 };

std::vector<std::uint32_t> program() {
  std::vector<std::uint32_t> p;
  p.push_back(u_type(opc::kLui, s0, 0x80010000));       // s0 = data (sign-extends; fixed below)
  p.push_back(i_type(opc::kOpImm, s0, 1, s0, 32));      // zero-extend: s0 <<= 32
  p.push_back(i_type(opc::kOpImm, s0, 5, s0, 32));      //              s0 >>= 32
  // loop (offset 12):
  p.push_back(i_type(opc::kOpImm, a0, 0, a0, 1));                  // a0 += 1
  p.push_back(i_type(opc::kLoad, t0, 3, s0, 0));                   // t0 = [s0]
  p.push_back(r_type(opc::kOp, t0, 0, t0, a0, 0));                 // t0 += a0
  p.push_back(i_type(opc::kOpImm, t1, 7, a0, 0xff));               // t1 = a0 & 255
  p.push_back(r_type(opc::kOp, t1, 1, t1, a0, 0));                 // t1 <<= a0
  p.push_back(s_type(opc::kStore, 3, s0, t0, 0));                  // [s0] = t0
  p.push_back(j_type(opc::kJal, ra, 12));                          // call f (offset 36 -> 48)
  p.push_back(j_type(opc::kJal, zero, -28));                       // j loop (offset 40 -> 12)
  p.push_back(0x00000013);                                         // padding (never runs)
  // f (offset 48):
  p.push_back(r_type(opc::kOp, a1, 4, a1, t1, 0));                 // a1 ^= t1
  p.push_back(r_type(opc::kOp, a2, 0, a2, a1, 0));                 // a2 += a1
  p.push_back(i_type(opc::kJalr, zero, 0, ra, 0));                 // ret
  return p;
}

void BM_GuestLoop(benchmark::State& state) {
  GuestRam ram(kRamBase, 64ull << 20);
  Bus bus(ram);
  VirtualClock clock(100);
  Hart hart(bus, clock);
  auto p = program();
  ram.write(kRamBase, p.data(), p.size() * 4);
  hart.reset(kRamBase);
  const Instret slice = static_cast<Instret>(state.range(0));
  for (auto _ : state) {
    hart.run(hart.instret() + slice);
  }
  state.counters["guest_MIPS"] =
      benchmark::Counter(static_cast<double>(hart.instret()) / 1e6, benchmark::Counter::kIsRate);
  state.counters["a0"] = static_cast<double>(hart.xreg(a0));
}
BENCHMARK(BM_GuestLoop)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
// Short slices: the cost of entering and leaving run() (host event polling).
BENCHMARK(BM_GuestLoop)->Arg(10'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
