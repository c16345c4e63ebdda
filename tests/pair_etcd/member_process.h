#pragma once
// The pair-on-etcd tests run the same real processes as tests/pair: this
// only names its helpers the way these tests use them.
#include <cstddef>
#include <string>

#include "pair/pair_process.h"

namespace ftvm::pairetcd {

using namespace std::chrono_literals;
using MemberProcess = pairtest::Process;
// The built-in test-and-set server in-process: the baseline the etcd
// failover time is compared with.
using BuiltinTas = pairtest::TasService;
using pairtest::build_dir;
using pairtest::read_text;
using pairtest::ticker_guest;

inline std::string ftvm_binary() { return pairtest::vm_binary(); }

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace ftvm::pairetcd
