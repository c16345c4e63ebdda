// ns/op of the soft-float's hottest binary64 operations on ordinary operands
// (random normal values), in RNE (the common case) and RTZ.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "machine/fpu/fpu.h"

namespace {

using ftvm::machine::fpu::Rounding;

// Normal doubles with exponents around 1, so results stay normal.
std::vector<std::uint64_t> ordinary_operands(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) {
    const std::uint64_t exp = 1023 - 20 + rng() % 40;
    x = (rng() & 0x800fffffffffffffull) | (exp << 52);
  }
  return v;
}

constexpr std::size_t kOperands = 4096;

template <auto Op>
void binary_op(benchmark::State& state) {
  const auto rm = static_cast<Rounding>(state.range(0));
  const auto a = ordinary_operands(kOperands, 1);
  const auto b = ordinary_operands(kOperands, 2);
  std::uint8_t flags = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Op(a[i], b[i], rm, flags));
    i = (i + 1) % kOperands;
  }
  benchmark::DoNotOptimize(flags);
}

void fma_op(benchmark::State& state) {
  const auto rm = static_cast<Rounding>(state.range(0));
  const auto a = ordinary_operands(kOperands, 1);
  const auto b = ordinary_operands(kOperands, 2);
  const auto c = ordinary_operands(kOperands, 3);
  std::uint8_t flags = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ftvm::machine::fpu::f64_fma(a[i], b[i], c[i], rm, flags));
    i = (i + 1) % kOperands;
  }
  benchmark::DoNotOptimize(flags);
}

constexpr int kRne = static_cast<int>(Rounding::kRne);
constexpr int kRtz = static_cast<int>(Rounding::kRtz);

}  // namespace

BENCHMARK(binary_op<ftvm::machine::fpu::f64_add>)->Name("f64_add")->Arg(kRne)->Arg(kRtz);
BENCHMARK(binary_op<ftvm::machine::fpu::f64_mul>)->Name("f64_mul")->Arg(kRne)->Arg(kRtz);
BENCHMARK(fma_op)->Name("f64_fma")->Arg(kRne)->Arg(kRtz);
BENCHMARK(binary_op<ftvm::machine::fpu::f64_div>)->Name("f64_div")->Arg(kRne)->Arg(kRtz);

BENCHMARK_MAIN();
