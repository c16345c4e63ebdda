// Writes a small seed corpus for log_decoder_fuzz: valid logs covering every
// entry type, plain and zstd frames, and a few damaged variants, so the
// fuzzer starts from inputs that reach deep into the decoder.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "replay/log_encoder.h"

namespace {

using ftvm::replay::EncoderOptions;
using ftvm::replay::LogEncoder;
using ftvm::replay::LogEntry;
using ftvm::replay::LogHeader;

std::vector<LogEntry> every_type() {
  return {
      LogEntry::time(0, 1'000'000),
      LogEntry::device_data(1000, 1, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00}),
      LogEntry::irq(1000, 10, 1),
      LogEntry::completion(2500, 2, 7, 0, std::vector<std::uint8_t>(64, 0xab)),
      LogEntry::time(3500, 1'000'010),
      LogEntry::checkpoint(4000, 0x1234'5678'9abc'def0ull, {0x8020'0000}),
      LogEntry::irq(1ull << 62, 10, 0),
      LogEntry::end((1ull << 62) + 1),
  };
}

std::vector<std::uint8_t> encode(const std::vector<LogEntry>& entries, std::size_t per_frame, bool compress) {
  EncoderOptions options;
  options.compress = compress;
  LogEncoder encoder(LogHeader{42, "seed"}, options);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    encoder.append(entries[i]);
    if ((i + 1) % per_frame == 0) encoder.flush();
  }
  encoder.flush();
  return encoder.take_bytes();
}

void write(const std::string& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write seed " + name + " in " + dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  try {
    const auto entries = every_type();
    const auto plain = encode(entries, 1, false);
    write(dir, "seed-plain-per-entry", plain);
    write(dir, "seed-plain-batched", encode(entries, 3, false));
    std::vector<LogEntry> repetitive;
    for (std::uint64_t i = 0; i < 30; ++i) repetitive.push_back(LogEntry::device_data(i * 10, 1, std::vector<std::uint8_t>(40, 7)));
    write(dir, "seed-zstd", encode(repetitive, 30, true));
    write(dir, "seed-header-only", encode({}, 1, false));
    auto torn = plain;
    torn.resize(torn.size() - 5);
    write(dir, "seed-torn", torn);
    auto flipped = plain;
    flipped[flipped.size() / 2] ^= 0x04;
    write(dir, "seed-flipped", flipped);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "log_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
