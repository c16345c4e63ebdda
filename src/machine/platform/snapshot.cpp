// Machine snapshots: the blob framing, the config and hart sections, and the
// Machine methods for save/restore, dirty tracking and page copies.
#include "machine/platform/snapshot.h"

#include <xxhash.h>

#include <cstring>
#include <string>

#include "machine/core/error.h"
#include "machine/core/snapshot_codec.h"
#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"

namespace ftvm::machine {

namespace {

constexpr char kMagic[8] = {'F', 'T', 'V', 'M', 'S', 'N', 'A', 'P'};

// A field added to CsrState must be added to the hart section below (and the
// version bumped); this catches the first half being done without the second.
static_assert(sizeof(cpu::CsrState) == 22 * 8 + 8 + 2 * 8 + 16 * 8 + 4 * 8,
              "CsrState changed: update save_csrs/restore_csrs and bump kSnapshotVersion");

std::uint64_t read_le(std::span<const std::uint8_t> b, std::size_t at, unsigned size) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= std::uint64_t{b[at + i]} << (8 * i);
  return v;
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// ---- framing ----

std::vector<std::uint8_t> frame(std::span<const std::uint8_t> payload, Instret instret) {
  SnapshotWriter w;
  w.raw({reinterpret_cast<const std::uint8_t*>(kMagic), sizeof kMagic});
  w.u32(kSnapshotVersion);
  w.u32(0);  // flags: none defined
  w.u64(instret);
  w.u64(payload.size());
  w.raw(payload);
  std::vector<std::uint8_t> blob = w.take();
  std::uint64_t sum = XXH3_64bits(blob.data(), blob.size());
  for (unsigned i = 0; i < 8; ++i) blob.push_back(static_cast<std::uint8_t>(sum >> (8 * i)));
  return blob;
}

// ---- the config the blob fits ----

void save_config(SnapshotWriter& w, const MachineConfig& c) {
  w.section("CONF");
  w.u64(c.ram_size);
  w.u64(c.timebase_hz);
  w.u64(c.instret_per_tick);
  w.u64(c.virtio.size());
  for (const VirtioConfig& v : c.virtio) {
    w.u8(static_cast<std::uint8_t>(v.kind));
    w.u64(v.capacity_bytes);
    w.boolean(v.read_only);
    w.raw(v.mac);
  }
}

void expect_same(bool same, const std::string& what) {
  if (!same) throw Error("machine snapshot is of another configuration: " + what);
}

// Everything that shapes the machine must match; the images need not, since
// what they loaded lives in RAM, which the snapshot's owner sends as pages.
void check_config(SnapshotReader& r, const MachineConfig& c) {
  r.section("CONF");
  std::uint64_t ram = r.u64();
  expect_same(ram == c.ram_size, "its RAM is " + mib(ram) + ", this machine's is " + mib(c.ram_size));
  std::uint64_t hz = r.u64(), ipt = r.u64();
  expect_same(hz == c.timebase_hz && ipt == c.instret_per_tick, "its clock settings differ from this machine's");
  std::uint64_t n = r.u64();
  expect_same(n == c.virtio.size(), "it has " + std::to_string(n) + " virtio devices, this machine has " +
                                        std::to_string(c.virtio.size()));
  for (std::size_t i = 0; i < c.virtio.size(); ++i) {
    const VirtioConfig& v = c.virtio[i];
    std::uint8_t kind = r.u8();
    std::uint64_t capacity = r.u64();
    bool read_only = r.boolean();
    std::span<const std::uint8_t> mac = r.raw(6);
    bool same = kind == static_cast<std::uint8_t>(v.kind) && capacity == v.capacity_bytes &&
                read_only == v.read_only && std::memcmp(mac.data(), v.mac, 6) == 0;
    expect_same(same, "virtio device " + std::to_string(i) + " differs (kind, disk size, read-only flag or MAC)");
  }
}

// ---- hart ----

void save_csrs(SnapshotWriter& w, const cpu::CsrState& c) {
  for (std::uint64_t v : {c.mstatus, c.medeleg, c.mideleg, c.mie, c.mip_software, c.mip_lines, c.mtvec, c.mcounteren,
                          c.mscratch, c.mepc, c.mcause, c.mtval, c.menvcfg, c.mcountinhibit, c.stvec, c.scounteren,
                          c.sscratch, c.sepc, c.scause, c.stval, c.senvcfg, c.satp, c.mcycle_offset,
                          c.minstret_offset, c.mcycle_frozen, c.minstret_frozen})
    w.u64(v);
  w.u8(c.fflags);
  w.u8(c.frm);
  for (std::uint64_t v : c.pmpcfg) w.u64(v);
  for (std::uint64_t v : c.pmpaddr) w.u64(v);
}

void restore_csrs(SnapshotReader& r, cpu::CsrState& c) {
  for (std::uint64_t* v : {&c.mstatus, &c.medeleg, &c.mideleg, &c.mie, &c.mip_software, &c.mip_lines, &c.mtvec,
                           &c.mcounteren, &c.mscratch, &c.mepc, &c.mcause, &c.mtval, &c.menvcfg, &c.mcountinhibit,
                           &c.stvec, &c.scounteren, &c.sscratch, &c.sepc, &c.scause, &c.stval, &c.senvcfg, &c.satp,
                           &c.mcycle_offset, &c.minstret_offset, &c.mcycle_frozen, &c.minstret_frozen})
    *v = r.u64();
  c.fflags = r.u8();
  c.frm = r.u8();
  for (std::uint64_t& v : c.pmpcfg) v = r.u64();
  for (std::uint64_t& v : c.pmpaddr) v = r.u64();
}

void save_hart(SnapshotWriter& w, const HartState& s) {
  w.section("HART");
  for (std::uint64_t v : s.x) w.u64(v);
  for (std::uint64_t v : s.f) w.u64(v);
  w.u64(s.pc);
  w.u8(static_cast<std::uint8_t>(s.privilege));
  save_csrs(w, s.csr);
  w.boolean(s.reservation_valid);
  w.u64(s.reservation_addr);
  w.boolean(s.wfi);
  w.u64(s.instret);
}

HartState restore_hart(SnapshotReader& r) {
  r.section("HART");
  HartState s;
  for (std::uint64_t& v : s.x) v = r.u64();
  for (std::uint64_t& v : s.f) v = r.u64();
  s.pc = r.u64();
  s.privilege = r.u8();
  restore_csrs(r, s.csr);
  s.reservation_valid = r.boolean();
  s.reservation_addr = r.u64();
  s.wfi = r.boolean();
  s.instret = r.u64();
  return s;
}

// ---- the whole machine ----

std::vector<std::uint8_t> save_payload(Machine::Impl& m) {
  SnapshotWriter w;
  save_config(w, m.config());
  save_hart(w, m.hart().save_state());
  w.section("CLOK");
  w.u64(m.clock().base_mtime());
  w.u64(m.clock().base_instret());
  m.clint().save_state(w);
  m.plic().save_state(w);
  m.uart().save_state(w);
  m.finisher().save_state(w);
  for (std::size_t i = 0; i < m.virtio_count(); ++i) m.virtio(i).save_state(w);
  w.section("END!");
  return w.take();
}

void restore_payload(Machine::Impl& m, SnapshotReader& r, Instret header_instret) {
  // The config comes first so that a blob of another machine fails before
  // this one changes at all.
  check_config(r, m.config());
  HartState hart = restore_hart(r);
  if (hart.instret != header_instret) r.fail("the hart's count disagrees with the header");
  r.section("CLOK");
  std::uint64_t base_mtime = r.u64();
  Instret base_instret = r.u64();
  if (base_instret > hart.instret) r.fail("the clock was last set after the hart's count");
  m.clint().restore_state(r);
  m.plic().restore_state(r);
  m.uart().restore_state(r);
  m.finisher().restore_state(r);
  for (std::size_t i = 0; i < m.virtio_count(); ++i) m.virtio(i).restore_state(r);
  r.section("END!");
  if (!r.at_end()) r.fail("bytes after the end section");
  m.clock().restore(base_mtime, base_instret);
  m.hart().restore_state(hart);
  // The machine remembers the MTIP level it last drove (to see whether a
  // WFI can end); the hart's restored lines hold the source's level.
  m.set_line(HartLine::kMachineTimer, (hart.csr.mip_lines & kMipMtip) != 0);
}

std::uint64_t checked_page(const GuestRam& ram, std::uint64_t index, std::size_t bytes) {
  if (index >= ram.page_count())
    throw Error("RAM page " + std::to_string(index) + " does not exist (the machine has " +
                std::to_string(ram.page_count()) + " pages)");
  if (bytes != kPageSize) throw Error("a RAM page is " + std::to_string(kPageSize) + " bytes, not " + std::to_string(bytes));
  return ram.base() + (index << kPageShift);
}

}  // namespace

SnapshotInfo check_snapshot_framing(std::span<const std::uint8_t> blob) {
  if (blob.size() < kSnapshotHeaderBytes + kSnapshotTrailerBytes)
    throw Error("machine snapshot is truncated: " + std::to_string(blob.size()) + " bytes is less than a header");
  if (std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0) throw Error("data is not a machine snapshot (bad magic)");
  SnapshotInfo info;
  info.version = static_cast<std::uint32_t>(read_le(blob, 8, 4));
  if (info.version != kSnapshotVersion)
    throw Error("machine snapshot version " + std::to_string(info.version) + " is not supported (this build reads " +
                std::to_string(kSnapshotVersion) + ")");
  if (read_le(blob, 12, 4) != 0) throw Error("machine snapshot uses flags this build does not know");
  info.instret = read_le(blob, 16, 8);
  std::uint64_t payload = read_le(blob, 24, 8);
  std::uint64_t body = blob.size() - kSnapshotHeaderBytes - kSnapshotTrailerBytes;
  if (payload != body)
    throw Error("machine snapshot is truncated or padded: header says " + std::to_string(payload) +
                " payload bytes, found " + std::to_string(body));
  std::uint64_t sum = XXH3_64bits(blob.data(), blob.size() - kSnapshotTrailerBytes);
  if (sum != read_le(blob, blob.size() - kSnapshotTrailerBytes, 8))
    throw Error("machine snapshot is corrupt (checksum mismatch)");
  info.payload = blob.subspan(kSnapshotHeaderBytes, payload);
  return info;
}

std::vector<std::uint8_t> Machine::save_state() const {
  std::vector<std::uint8_t> payload = save_payload(*impl_);
  return frame(payload, impl_->instret());
}

void Machine::restore_state(std::span<const std::uint8_t> blob) {
  SnapshotInfo info = check_snapshot_framing(blob);
  // A blob with a valid checksum can still be malformed (a bug, or a forged
  // checksum). Parts restore as they are read, so keep the current state to
  // put back: a failed restore leaves the machine exactly as it was.
  std::vector<std::uint8_t> before = save_payload(*impl_);
  Instret before_instret = impl_->instret();
  try {
    SnapshotReader r(info.payload);
    restore_payload(*impl_, r, info.instret);
  } catch (const Error&) {
    SnapshotReader undo(before);
    restore_payload(*impl_, undo, before_instret);
    throw;
  }
  // Outputs this machine produced before belong to a past that no longer
  // exists; the source's were drained before it saved.
  impl_->take_outputs();
}

void Machine::start_dirty_tracking() {
  impl_->ram().set_dirty_tracking(true);
  // The store fast path writes through TLB entries without telling GuestRam;
  // dropping them sends every store through the slow path, which records it
  // and (while tracking is on) does not create new writable entries.
  impl_->hart().flush_caches();
}

std::vector<std::uint64_t> Machine::take_dirty_pages() { return impl_->ram().take_dirty_pages(); }

void Machine::stop_dirty_tracking() { impl_->ram().set_dirty_tracking(false); }

bool Machine::dirty_tracking() const { return impl_->ram().dirty_tracking(); }

std::uint64_t Machine::page_count() const { return impl_->ram().page_count(); }

void Machine::read_page(std::uint64_t index, std::span<std::uint8_t> out) const {
  const GuestRam& ram = impl_->ram();
  ram.read(checked_page(ram, index, out.size()), out.data(), out.size());
}

void Machine::write_page(std::uint64_t index, std::span<const std::uint8_t> bytes) {
  GuestRam& ram = impl_->ram();
  // Through write(): decoded code on the page is dropped, and a tracking
  // machine records the page.
  ram.write(checked_page(ram, index, bytes.size()), bytes.data(), bytes.size());
}

}  // namespace ftvm::machine
