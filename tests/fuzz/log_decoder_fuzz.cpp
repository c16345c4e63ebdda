// libFuzzer target for the replay log decoder. Arbitrary bytes must never
// crash it, allocate without bound or read out of bounds (ASan/UBSan watch),
// and the decoder must obey its own contract:
//   - feeding the same bytes in different chunk sizes gives the same entries
//     and the same error at the same offset;
//   - an error's offset lies inside the input;
//   - entries come with consecutive sequence numbers and non-decreasing counts;
//   - whatever decoded re-encodes to a log that decodes to the same entries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "replay/log_decoder.h"
#include "replay/log_encoder.h"

namespace {

using ftvm::replay::LogDecoder;
using ftvm::replay::LogEncoder;
using ftvm::replay::LogError;
using ftvm::replay::LogHeader;
using ftvm::replay::SequencedEntry;

struct Outcome {
  std::vector<SequencedEntry> entries;
  std::optional<std::uint64_t> error_offset;
  std::string error_text;
  std::optional<LogHeader> header;
};

void drain(LogDecoder& decoder, Outcome& out) {
  while (auto e = decoder.next()) out.entries.push_back(std::move(*e));
}

Outcome decode(std::span<const std::uint8_t> bytes, std::size_t chunk) {
  LogDecoder decoder;
  Outcome out;
  try {
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
      decoder.feed(bytes.subspan(pos, std::min(chunk, bytes.size() - pos)));
      drain(decoder, out);
    }
    decoder.finish();
    drain(decoder, out);
  } catch (const LogError& e) {
    out.error_offset = e.offset();
    out.error_text = e.what();
  }
  out.header = decoder.header();
  return out;
}

void require(bool ok) {
  if (!ok) std::abort();
}

void check_order(const Outcome& o) {
  for (std::size_t i = 0; i < o.entries.size(); ++i) {
    require(o.entries[i].sequence == i);
    if (i > 0) require(o.entries[i].entry.instret >= o.entries[i - 1].entry.instret);
  }
}

void check_reencodes(const Outcome& o) {
  if (!o.header) return;
  LogEncoder encoder(*o.header);
  for (const auto& e : o.entries) encoder.append(e.entry);
  encoder.flush();
  const auto bytes = encoder.take_bytes();
  const Outcome again = decode(bytes, bytes.size() + 1);
  require(!again.error_offset);
  require(again.entries.size() == o.entries.size());
  for (std::size_t i = 0; i < o.entries.size(); ++i) require(again.entries[i] == o.entries[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const Outcome whole = decode(bytes, size + 1);
  if (whole.error_offset) require(*whole.error_offset <= size);
  check_order(whole);

  // A chunk size taken from the input itself, so the fuzzer explores it too.
  const std::size_t chunk = size == 0 ? 1 : 1 + data[size - 1] % 13;
  const Outcome pieces = decode(bytes, chunk);
  require(pieces.entries == whole.entries);
  require(pieces.error_offset == whole.error_offset);
  require(pieces.error_text == whole.error_text);

  check_reencodes(whole);
  return 0;
}
