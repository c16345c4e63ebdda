#include "replay/state_digest.h"

#include <cstdio>

#include "machine/core/state_hasher.h"
#include "machine/platform/machine_impl.h"

namespace ftvm::replay {

namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

constexpr std::size_t kWordCount = 3 + StateDigest::kRamRegions;

}  // namespace

std::uint64_t StateDigest::combined() const {
  machine::StateHasher h;
  h.label("ftvm-state-digest-v1");
  for (std::uint64_t w : words()) h.value(w);
  return h.digest();
}

std::vector<std::uint64_t> StateDigest::words() const {
  std::vector<std::uint64_t> w = {pc, hart, devices};
  w.insert(w.end(), std::begin(ram), std::end(ram));
  return w;
}

bool StateDigest::from_words(const std::vector<std::uint64_t>& words, StateDigest& out) {
  if (words.size() != kWordCount) return false;
  out.pc = words[0];
  out.hart = words[1];
  out.devices = words[2];
  for (std::size_t i = 0; i < kRamRegions; ++i) out.ram[i] = words[3 + i];
  return true;
}

std::string StateDigest::diff(const StateDigest& replayed, std::uint64_t ram_base, std::uint64_t ram_size) const {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (pc != replayed.pc) add("pc recorded " + hex(pc) + ", replayed " + hex(replayed.pc));
  if (hart != replayed.hart) add("hart registers/CSRs differ");
  if (devices != replayed.devices) add("device state or clock differs");
  const std::uint64_t region = ram_size / kRamRegions;
  for (std::size_t i = 0; i < kRamRegions; ++i)
    if (ram[i] != replayed.ram[i])
      add("RAM " + hex(ram_base + i * region) + "-" + hex(ram_base + (i + 1) * region - 1) + " differs");
  return out.empty() ? "no section differs" : out;
}

StateDigest digest(machine::Machine& m) {
  auto& impl = m.impl();
  StateDigest d;
  d.pc = impl.hart().pc();
  {
    machine::StateHasher h;
    impl.hart().hash_state(h);
    d.hart = h.digest();
  }
  {
    machine::StateHasher h;
    h.value(impl.clock().base_mtime());
    h.value(impl.clock().base_instret());
    impl.plic().hash_state(h);
    impl.clint().hash_state(h);
    impl.uart().hash_state(h);
    impl.finisher().hash_state(h);
    for (std::size_t i = 0; i < impl.virtio_count(); ++i) impl.virtio(i).hash_state(h);
    d.devices = h.digest();
  }
  const auto& ram = impl.ram();
  const std::uint64_t region = ram.size() / StateDigest::kRamRegions;
  for (std::size_t i = 0; i < StateDigest::kRamRegions; ++i) {
    std::uint64_t len = (i + 1 == StateDigest::kRamRegions) ? ram.size() - i * region : region;
    d.ram[i] = XXH3_64bits(ram.data() + i * region, len);
  }
  return d;
}

std::uint64_t config_hash(const machine::MachineConfig& c) {
  machine::StateHasher h;
  h.label("ftvm-config-v1");
  h.value(c.ram_size);
  h.value(c.timebase_hz);
  h.value(c.instret_per_tick);
  for (const auto* image : {&c.firmware, &c.kernel, &c.initrd}) {
    h.value(static_cast<std::uint64_t>(image->size()));
    h.value(XXH3_64bits(image->data(), image->size()));
  }
  h.value(static_cast<std::uint64_t>(c.cmdline.size()));
  h.label(c.cmdline);
  h.value(static_cast<std::uint64_t>(c.virtio.size()));
  for (const auto& v : c.virtio) {
    h.value(static_cast<std::uint32_t>(v.kind));
    h.value(v.capacity_bytes);
    h.value(static_cast<std::uint8_t>(v.read_only));
    h.bytes(v.mac, sizeof v.mac);
  }
  return h.digest();
}

}  // namespace ftvm::replay
