#include "clone/clone_message.h"

#include "clone/clone_error.h"
#include "clone/clone_frame.h"
#include "ft/byte_io.h"

namespace ftvm::clone {

namespace {

enum class Type : std::uint8_t { kHello = 1, kPages = 2, kRoundEnd = 3, kFinal = 4, kVerdict = 5 };
enum class EntryKind : std::uint8_t { kZeroRun = 0, kData = 1 };

// Each message's payload.
void put(ft::ByteWriter& w, const Hello& m) {
  w.u32(m.version);
  w.u64(m.config_hash);
  w.u64(m.ram_size);
  w.u64(m.page_size);
  w.u64(m.start_instret);
}
void put(ft::ByteWriter& w, const Pages& m) {
  w.u32(m.round);
  w.u32(static_cast<std::uint32_t>(m.entries.size()));
  for (const PageEntry& e : m.entries) {
    if (const auto* z = std::get_if<ZeroRun>(&e)) {
      w.u8(static_cast<std::uint8_t>(EntryKind::kZeroRun));
      w.u64(z->first);
      w.u64(z->count);
    } else {
      const auto& d = std::get<DataPage>(e);
      w.u8(static_cast<std::uint8_t>(EntryKind::kData));
      w.u64(d.index);
      w.bytes(d.bytes);
    }
  }
}
void put(ft::ByteWriter& w, const RoundEnd& m) {
  w.u32(m.round);
  w.u64(m.pages);
}
void put(ft::ByteWriter& w, const Final& m) {
  w.u64(m.instret);
  w.u64(m.state_hash);
  w.u32(static_cast<std::uint32_t>(m.digest.size()));
  for (std::uint64_t word : m.digest) w.u64(word);
  w.u32(static_cast<std::uint32_t>(m.state.size()));
  w.bytes(m.state);
}
void put(ft::ByteWriter& w, const Verdict& m) {
  w.u8(m.ok ? 1 : 0);
  w.u64(m.instret);
  w.u64(m.state_hash);
  std::string_view text(m.message);
  text = text.substr(0, kMaxVerdictText);
  w.u32(static_cast<std::uint32_t>(text.size()));
  w.bytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

Type type_of(const CloneMessage& m) {
  return static_cast<Type>(m.index() + 1);  // variant order is the type order
}

// Decoding: the reader fails softly; one check per message says what broke.
void expect(bool ok, const char* what) {
  if (!ok) throw CloneError(std::string("malformed message: ") + what);
}

Hello get_hello(ft::ByteReader& r) {
  Hello m;
  r.u32(m.version);
  r.u64(m.config_hash);
  r.u64(m.ram_size);
  r.u64(m.page_size);
  r.u64(m.start_instret);
  expect(r.ok(), "hello is truncated");
  return m;
}

PageEntry get_entry(ft::ByteReader& r) {
  std::uint8_t kind = 0;
  expect(r.u8(kind), "page entry is truncated");
  if (kind == static_cast<std::uint8_t>(EntryKind::kZeroRun)) {
    ZeroRun z;
    r.u64(z.first);
    expect(r.u64(z.count), "zero-page run is truncated");
    return z;
  }
  expect(kind == static_cast<std::uint8_t>(EntryKind::kData), "unknown page entry kind");
  DataPage d;
  r.u64(d.index);
  expect(r.bytes(machine::kPageSize, d.bytes), "data page is shorter than a page");
  return d;
}

Pages get_pages(ft::ByteReader& r) {
  Pages m;
  std::uint32_t count = 0;
  r.u32(m.round);
  expect(r.u32(count), "page batch header is truncated");
  // Each entry takes at least 17 bytes: a count beyond that is a lie, and
  // must not size an allocation.
  expect(count <= r.remaining() / 17, "page batch claims more entries than it holds");
  m.entries.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) m.entries.push_back(get_entry(r));
  return m;
}

RoundEnd get_round_end(ft::ByteReader& r) {
  RoundEnd m;
  r.u32(m.round);
  r.u64(m.pages);
  expect(r.ok(), "round end is truncated");
  return m;
}

Final get_final(ft::ByteReader& r) {
  Final m;
  std::uint32_t words = 0, state_bytes = 0;
  r.u64(m.instret);
  r.u64(m.state_hash);
  expect(r.u32(words), "final message is truncated");
  expect(words <= r.remaining() / 8, "final message claims more digest words than it holds");
  m.digest.resize(words);
  for (std::uint64_t& w : m.digest) r.u64(w);
  expect(r.u32(state_bytes), "final message is truncated");
  expect(r.bytes(state_bytes, m.state), "machine state is shorter than its length");
  return m;
}

Verdict get_verdict(ft::ByteReader& r) {
  Verdict m;
  std::uint8_t ok = 0;
  std::uint32_t length = 0;
  r.u8(ok);
  r.u64(m.instret);
  r.u64(m.state_hash);
  expect(r.u32(length), "verdict is truncated");
  expect(ok <= 1, "verdict flag is neither 0 nor 1");
  expect(length <= kMaxVerdictText, "verdict text is too long");
  std::vector<std::uint8_t> text;
  expect(r.bytes(length, text), "verdict text is truncated");
  m.ok = ok == 1;
  m.message.assign(text.begin(), text.end());
  return m;
}

}  // namespace

std::vector<std::uint8_t> encode_message(const CloneMessage& message) {
  ft::ByteWriter w;
  std::visit([&w](const auto& m) { put(w, m); }, message);
  std::vector<std::uint8_t> out;
  append_clone_frame(out, static_cast<std::uint8_t>(type_of(message)), w.data());
  return out;
}

void append_pages_message(std::vector<std::uint8_t>& out, std::uint32_t round, std::span<const PageRef> pages) {
  ft::ByteWriter w;
  w.u32(round);
  w.u32(static_cast<std::uint32_t>(pages.size()));
  for (const PageRef& p : pages) {
    if (p.data == nullptr) {
      w.u8(static_cast<std::uint8_t>(EntryKind::kZeroRun));
      w.u64(p.first);
      w.u64(p.count);
    } else {
      w.u8(static_cast<std::uint8_t>(EntryKind::kData));
      w.u64(p.first);
      w.bytes({p.data, machine::kPageSize});
    }
  }
  append_clone_frame(out, static_cast<std::uint8_t>(Type::kPages), w.data());
}

CloneMessage decode_message(std::uint8_t type, std::span<const std::uint8_t> payload) {
  ft::ByteReader r(payload);
  CloneMessage m;
  switch (static_cast<Type>(type)) {
    case Type::kHello: m = get_hello(r); break;
    case Type::kPages: m = get_pages(r); break;
    case Type::kRoundEnd: m = get_round_end(r); break;
    case Type::kFinal: m = get_final(r); break;
    case Type::kVerdict: m = get_verdict(r); break;
    default: throw CloneError("unknown message type " + std::to_string(type));
  }
  expect(r.remaining() == 0, "bytes after the end of the message");
  return m;
}

std::string message_name(const CloneMessage& message) {
  static constexpr const char* kNames[] = {"hello", "pages", "round end", "final", "verdict"};
  return kNames[message.index()];
}

}  // namespace ftvm::clone
