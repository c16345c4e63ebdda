#include "machine/devices/virtio_net.h"

#include <algorithm>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

VirtioNet::VirtioNet(GuestRam& ram, OutputSink& out, IrqSink& irq, unsigned irq_source, std::uint32_t slot,
                     const std::uint8_t (&mac)[6])
    : VirtioMmio(ram, out, irq, irq_source, slot, 2) {
  std::copy(std::begin(mac), std::end(mac), mac_);
}

std::vector<std::uint8_t> VirtioNet::config_space() const { return {mac_, mac_ + 6}; }

void VirtioNet::queue_notified(unsigned q) {
  if (q == kTxQueue) transmit_all();
  if (q == kRxQueue) deliver_received();
}

void VirtioNet::transmit_all() {
  VirtqChain chain;
  while (next_chain(kTxQueue, chain)) {
    if (!chain.all_in_ram()) {
      fail_device();
      return;
    }
    std::uint64_t total = chain.readable_bytes();
    // Runt or oversized frames are dropped; the buffer still goes back.
    if (total > kHeaderBytes && total - kHeaderBytes <= kMaxFrameBytes) {
      Output out;
      out.kind = OutputKind::kNetFrame;
      out.device = slot();
      out.bytes.resize(total - kHeaderBytes);
      chain.gather(ram(), kHeaderBytes, out.bytes.data(), out.bytes.size());
      output().emit(std::move(out));
    }
    complete_chain(kTxQueue, chain.head, 0);
  }
}

void VirtioNet::apply_input(const Input& in) {
  if (in.kind != InputKind::kDeviceData)
    throw Error("virtio-net in slot " + std::to_string(slot()) + " takes only device-data inputs");
  if (in.bytes.empty() || in.bytes.size() > kMaxFrameBytes) return;
  if (rx_fifo_.size() >= kRxFifoFrames) {  // like a full NIC ring: drop the newest
    ++rx_dropped_full_;
    return;
  }
  rx_fifo_.push_back(in.bytes);
  deliver_received();
}

void VirtioNet::deliver_received() {
  VirtqChain chain;
  while (!rx_fifo_.empty() && next_chain(kRxQueue, chain)) {
    if (!chain.all_in_ram()) {
      fail_device();
      return;
    }
    const std::vector<std::uint8_t>& frame = rx_fifo_.front();
    if (chain.writable_bytes() < kHeaderBytes + frame.size()) {
      // Too big for the buffers this driver posts: drop it, keep the buffer.
      return_chain(kRxQueue);
      rx_fifo_.pop_front();
      ++rx_dropped_too_big_;
      continue;
    }
    std::uint8_t header[kHeaderBytes] = {};
    header[10] = 1;  // num_buffers = 1 (little-endian u16 at offset 10)
    chain.scatter(ram(), 0, header, kHeaderBytes);
    chain.scatter(ram(), kHeaderBytes, frame.data(), frame.size());
    complete_chain(kRxQueue, chain.head, static_cast<std::uint32_t>(kHeaderBytes + frame.size()));
    rx_fifo_.pop_front();
  }
}

void VirtioNet::hash_device(StateHasher& h) const {
  h.bytes(mac_, sizeof mac_);
  h.value(static_cast<std::uint64_t>(rx_fifo_.size()));
  for (const auto& f : rx_fifo_) {
    h.value(static_cast<std::uint64_t>(f.size()));
    h.bytes(f.data(), f.size());
  }
}

}  // namespace ftvm::machine
