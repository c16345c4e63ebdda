#include "machine/devices/virtio_rng.h"

#include <algorithm>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

void VirtioRng::queue_notified(unsigned q) {
  VirtqChain chain;
  while (next_chain(q, chain)) {
    if (!chain.all_in_ram()) {
      fail_device();
      return;
    }
    std::uint64_t length = std::min(chain.writable_bytes(), kMaxRequestBytes);
    if (length == 0) {
      complete_chain(q, chain.head, 0);
      continue;
    }
    Output out;
    out.kind = OutputKind::kEntropyRequest;
    out.device = slot();
    out.length = length;
    requests_.add(q, std::move(chain), out);
    output().emit(std::move(out));
  }
}

void VirtioRng::apply_input(const Input& in) {
  std::string who = "virtio-rng in slot " + std::to_string(slot());
  if (in.kind != InputKind::kCompletion) throw Error(who + " takes only completion inputs");
  std::optional<InFlightRequest> r = requests_.take(in.value, who);
  if (!r) return;
  // A failed request returns the buffer empty; extra bytes are ignored.
  std::uint64_t n = in.status == 0 ? std::min<std::uint64_t>(in.bytes.size(), r->output.length) : 0;
  r->chain.scatter(ram(), 0, in.bytes.data(), n);
  complete_chain(r->queue, r->chain.head, static_cast<std::uint32_t>(n));
}

}  // namespace ftvm::machine
