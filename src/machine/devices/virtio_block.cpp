#include "machine/devices/virtio_block.h"

#include <cstring>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

namespace {
constexpr unsigned kRequestQueue = 0;

void put_le(std::vector<std::uint8_t>& buf, std::size_t at, std::uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) buf[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}
}  // namespace

VirtioBlock::VirtioBlock(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
                         std::uint64_t capacity_bytes, bool read_only)
    : VirtioMmio(ram, out, irq, irq_source, slot, 1), capacity_bytes_(capacity_bytes), read_only_(read_only) {
  if (capacity_bytes % kSectorSize != 0) throw Error("virtio-blk: disk size must be a multiple of 512 bytes");
}

std::uint64_t VirtioBlock::device_features() const {
  std::uint64_t f = kFeatureVersion1 | kFeatureSizeMax | kFeatureSegMax | kFeatureBlockSize | kFeatureFlush;
  if (read_only_) f |= kFeatureReadOnly;
  return f;
}

std::vector<std::uint8_t> VirtioBlock::config_space() const {
  // capacity (u64, sectors) @0, size_max @8, seg_max @12, geometry @16, blk_size @20.
  std::vector<std::uint8_t> c(24, 0);
  put_le(c, 0, capacity_bytes_ / kSectorSize, 8);
  put_le(c, 8, kSizeMax, 4);
  put_le(c, 12, kSegMax, 4);
  put_le(c, 20, kSectorSize, 4);
  return c;
}

void VirtioBlock::queue_notified(unsigned q) {
  if (q != kRequestQueue) return;
  VirtqChain chain;
  while (next_chain(q, chain)) handle(std::move(chain));
}

void VirtioBlock::handle(VirtqChain chain) {
  // Where the status byte goes decides whether the request can fail politely.
  const VirtqSegment* last = chain.segments.empty() ? nullptr : &chain.segments.back();
  bool status_writable = last && last->writable && last->len >= 1 && last->in_ram;
  if (!status_writable) {
    fail_device();
    return;
  }
  Header hdr{};
  if (!chain.all_in_ram() || !chain.readable_before_writable() || !chain.gather(ram(), 0, &hdr, sizeof hdr)) {
    finish(chain, kStatusIoErr, 0);
    return;
  }
  switch (hdr.type) {
    case kTypeIn: start_read(std::move(chain), hdr); break;
    case kTypeOut: start_write(std::move(chain), hdr); break;
    case kTypeFlush: start_flush(std::move(chain)); break;
    case kTypeGetId: answer_get_id(chain); break;
    default: finish(chain, kStatusUnsupported, 0); break;
  }
}

bool VirtioBlock::range_ok(std::uint64_t sector, std::uint64_t bytes) const {
  std::uint64_t sectors = capacity_bytes_ / kSectorSize;
  return bytes % kSectorSize == 0 && bytes <= kMaxRequestBytes && sector <= sectors &&
         bytes / kSectorSize <= sectors - sector;
}

void VirtioBlock::start_read(VirtqChain chain, const Header& hdr) {
  std::uint64_t bytes = chain.writable_bytes() - 1;
  if (!range_ok(hdr.sector, bytes)) {
    finish(chain, kStatusIoErr, 0);
    return;
  }
  Output out;
  out.kind = OutputKind::kDiskRead;
  out.device = slot();
  out.offset = hdr.sector * kSectorSize;
  out.length = bytes;
  requests_.add(kRequestQueue, std::move(chain), out);
  output().emit(std::move(out));
}

void VirtioBlock::start_write(VirtqChain chain, const Header& hdr) {
  std::uint64_t bytes = chain.readable_bytes() - sizeof(Header);
  if (read_only_ || !range_ok(hdr.sector, bytes)) {
    finish(chain, kStatusIoErr, 0);
    return;
  }
  Output out;
  out.kind = OutputKind::kDiskWrite;
  out.device = slot();
  out.offset = hdr.sector * kSectorSize;
  out.length = bytes;
  out.bytes.resize(bytes);
  chain.gather(ram(), sizeof(Header), out.bytes.data(), bytes);
  requests_.add(kRequestQueue, std::move(chain), out);
  output().emit(std::move(out));
}

void VirtioBlock::start_flush(VirtqChain chain) {
  Output out;
  out.kind = OutputKind::kDiskFlush;
  out.device = slot();
  requests_.add(kRequestQueue, std::move(chain), out);
  output().emit(std::move(out));
}

void VirtioBlock::answer_get_id(const VirtqChain& chain) {
  std::string id = "ftvm-disk-" + std::to_string(slot());
  std::uint8_t buf[kIdBytes] = {};
  std::memcpy(buf, id.data(), std::min<std::size_t>(id.size(), kIdBytes));
  std::uint64_t room = chain.writable_bytes() - 1;
  std::uint64_t n = std::min<std::uint64_t>(room, kIdBytes);
  chain.scatter(ram(), 0, buf, n);
  finish(chain, kStatusOk, n);
}

void VirtioBlock::finish(const VirtqChain& chain, std::uint8_t status, std::uint64_t data_written) {
  chain.scatter(ram(), chain.writable_bytes() - 1, &status, 1);
  complete_chain(kRequestQueue, chain.head, static_cast<std::uint32_t>(data_written + 1));
}

void VirtioBlock::apply_input(const Input& in) {
  std::string who = "virtio-blk in slot " + std::to_string(slot());
  if (in.kind != InputKind::kCompletion) throw Error(who + " takes only completion inputs");
  const InFlightRequest* pending = requests_.find(in.value);
  // Check the data before touching any state, so a bad input changes nothing.
  if (pending && in.status == 0 && pending->output.kind == OutputKind::kDiskRead &&
      in.bytes.size() != pending->output.length)
    throw Error(who + ": read completion carries " + std::to_string(in.bytes.size()) + " bytes, expected " +
                std::to_string(pending->output.length));
  std::optional<InFlightRequest> r = requests_.take(in.value, who);
  if (!r) return;  // the driver reset the device meanwhile: nothing to deliver
  std::uint8_t status = in.status == 0 ? kStatusOk : in.status == kStatusUnsupported ? kStatusUnsupported : kStatusIoErr;
  std::uint64_t written = 0;
  if (status == kStatusOk && r->output.kind == OutputKind::kDiskRead) {
    r->chain.scatter(ram(), 0, in.bytes.data(), in.bytes.size());
    written = in.bytes.size();
  }
  finish(r->chain, status, written);
}

void VirtioBlock::hash_device(StateHasher& h) const {
  h.value(capacity_bytes_);
  h.value(static_cast<std::uint8_t>(read_only_));
  requests_.hash(h);
}

}  // namespace ftvm::machine
