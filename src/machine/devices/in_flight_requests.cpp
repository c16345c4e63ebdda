#include "machine/devices/in_flight_requests.h"

#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

std::uint64_t InFlightRequests::add(unsigned queue, VirtqChain chain, Output& out) {
  std::uint64_t tag = next_tag_++;
  out.tag = tag;
  requests_.emplace(tag, InFlightRequest{queue, std::move(chain), out});
  return tag;
}

std::optional<InFlightRequest> InFlightRequests::take(std::uint64_t tag, std::string_view device) {
  auto it = requests_.find(tag);
  if (it == requests_.end()) {
    if (tag == 0 || tag >= next_tag_)
      throw Error(std::string(device) + ": completion for request tag " + std::to_string(tag) +
                  " that was never issued");
    return std::nullopt;
  }
  InFlightRequest r = std::move(it->second);
  requests_.erase(it);
  return r;
}

const InFlightRequest* InFlightRequests::find(std::uint64_t tag) const {
  auto it = requests_.find(tag);
  return it == requests_.end() ? nullptr : &it->second;
}

void InFlightRequests::reissue(OutputSink& sink) const {
  for (const auto& [tag, r] : requests_) sink.emit(r.output);
}

void InFlightRequests::hash(StateHasher& h) const {
  h.value(next_tag_);
  h.value(static_cast<std::uint64_t>(requests_.size()));
  for (const auto& [tag, r] : requests_) {
    h.value(tag);
    h.value(r.queue);
    r.chain.hash(h);
    h.value(r.output.kind);
    h.value(r.output.offset);
    h.value(r.output.length);
    h.value(static_cast<std::uint64_t>(r.output.bytes.size()));
    h.bytes(r.output.bytes.data(), r.output.bytes.size());
  }
}

}  // namespace ftvm::machine
