#include "ft/message_codec.h"

#include <fmt/format.h>

#include "ft/byte_io.h"

namespace ftvm::ft {
namespace {

constexpr std::uint32_t kMagic = 0x314d5446;  // "FTM1" read little-endian
constexpr std::uint8_t kKindLogBatch = 1;
constexpr std::uint8_t kKindHeartbeat = 2;
constexpr std::uint8_t kKindAck = 3;
constexpr std::size_t kChecksumBytes = 8;
constexpr std::size_t kEntryHeaderBytes = 12;  // seq + length

struct BodyEncoder {
  ByteWriter& w;
  // Counts and lengths are 32-bit on the wire; the FT log never comes near
  // that (batches are bounded by FtConfig), and an overflow would only yield
  // a frame the receiver rejects.
  void operator()(const LogBatch& b) const {
    w.u64(b.probe);
    w.u32(static_cast<std::uint32_t>(b.entries.size()));
    for (const LogEntry& e : b.entries) {
      w.u64(e.seq);
      w.u32(static_cast<std::uint32_t>(e.payload.size()));
      w.bytes(e.payload);
    }
  }
  void operator()(const Heartbeat& h) const {
    w.u64(h.probe);
    w.u64(h.appended);
  }
  void operator()(const Ack& a) const {
    w.u64(a.probe_echo);
    w.u64(a.received);
    w.u64(a.executed);
  }
};

std::uint8_t kind_code(const MessageBody& body) {
  if (std::holds_alternative<LogBatch>(body)) return kKindLogBatch;
  if (std::holds_alternative<Heartbeat>(body)) return kKindHeartbeat;
  return kKindAck;
}

DecodeResult failure(std::string why) { return DecodeResult{std::nullopt, "ft message: " + std::move(why)}; }

// Reads the body for `kind`; returns an error text, empty on success.
std::string decode_body(std::uint8_t kind, ByteReader& r, MessageBody& body) {
  switch (kind) {
    case kKindLogBatch: {
      LogBatch b;
      std::uint32_t count = 0;
      if (!r.u64(b.probe) || !r.u32(count)) return "truncated log batch header";
      // Each entry needs at least its header, so a count the remaining bytes
      // cannot hold is rejected before anything is allocated for it.
      if (count > r.remaining() / kEntryHeaderBytes) {
        return fmt::format("log batch claims {} entries but only {} bytes follow", count, r.remaining());
      }
      b.entries.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) {
        LogEntry e;
        std::uint32_t len = 0;
        if (!r.u64(e.seq) || !r.u32(len) || !r.bytes(len, e.payload)) {
          return fmt::format("log batch entry {} of {} is truncated", i + 1, count);
        }
        b.entries.push_back(std::move(e));
      }
      body = std::move(b);
      return {};
    }
    case kKindHeartbeat: {
      Heartbeat h;
      if (!r.u64(h.probe) || !r.u64(h.appended)) return "truncated heartbeat";
      body = h;
      return {};
    }
    case kKindAck: {
      Ack a;
      if (!r.u64(a.probe_echo) || !r.u64(a.received) || !r.u64(a.executed)) return "truncated ack";
      body = a;
      return {};
    }
    default:
      return fmt::format("unknown message kind {}", kind);
  }
}

}  // namespace

std::vector<std::uint8_t> encode_message(const Message& message) {
  ByteWriter w;
  w.u32(kMagic);
  w.u8(kWireVersion);
  w.u8(kind_code(message.body));
  w.u8(static_cast<std::uint8_t>(message.sender));
  // validate_pair_id() bounds names to kMaxVmNameBytes; a longer one here is
  // cut so the frame stays well formed (the receiver then rejects the name).
  const std::size_t name_len = std::min(message.pair.vm_name.size(), kMaxVmNameBytes);
  w.u16(static_cast<std::uint16_t>(name_len));
  w.bytes(std::span(reinterpret_cast<const std::uint8_t*>(message.pair.vm_name.data()), name_len));
  w.u64(message.pair.generation);
  std::visit(BodyEncoder{w}, message.body);
  const std::uint64_t sum = fnv1a64(w.data());
  w.u64(sum);
  return w.take();
}

DecodeResult decode_message(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kChecksumBytes) return failure(fmt::format("frame of {} bytes is too short", bytes.size()));
  const auto framed = bytes.first(bytes.size() - kChecksumBytes);
  std::uint64_t sum = 0;
  ByteReader tail(bytes.last(kChecksumBytes));
  tail.u64(sum);
  if (sum != fnv1a64(framed)) return failure("checksum mismatch (corrupt frame)");

  ByteReader r(framed);
  std::uint32_t magic = 0;
  std::uint8_t version = 0, kind = 0, sender = 0;
  std::uint16_t name_len = 0;
  if (!r.u32(magic) || !r.u8(version) || !r.u8(kind) || !r.u8(sender) || !r.u16(name_len)) {
    return failure("truncated header");
  }
  if (magic != kMagic) return failure(fmt::format("bad magic {:#010x}", magic));
  if (version != kWireVersion) return failure(fmt::format("unsupported version {}", version));
  if (sender != static_cast<std::uint8_t>(Sender::kPrimary) && sender != static_cast<std::uint8_t>(Sender::kBackup)) {
    return failure(fmt::format("unknown sender {}", sender));
  }
  if (name_len == 0 || name_len > kMaxVmNameBytes) return failure(fmt::format("bad VM name length {}", name_len));
  Message m;
  m.sender = static_cast<Sender>(sender);
  std::vector<std::uint8_t> name;
  if (!r.bytes(name_len, name) || !r.u64(m.pair.generation)) return failure("truncated pair identity");
  m.pair.vm_name.assign(name.begin(), name.end());
  if (std::string err = decode_body(kind, r, m.body); !err.empty()) return failure(std::move(err));
  if (r.remaining() != 0) return failure(fmt::format("{} unexpected trailing bytes", r.remaining()));
  return DecodeResult{std::move(m), {}};
}

}  // namespace ftvm::ft
