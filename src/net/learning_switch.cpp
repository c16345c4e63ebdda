#include "net/learning_switch.h"

#include <spdlog/spdlog.h>

namespace ftvm::net {

void LearningSwitch::add_port(PortId port) { ports_.insert(port); }

void LearningSwitch::remove_port(PortId port) {
  ports_.erase(port);
  std::erase_if(table_, [port](const auto& entry) { return entry.second == port; });
}

std::optional<PortId> LearningSwitch::port_of(const MacAddress& mac) const {
  auto it = table_.find(mac);
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

void LearningSwitch::learn(PortId in, FrameView frame) {
  MacAddress src = source_mac(frame);
  if (src.is_group()) return;  // never a real station's address
  auto [it, inserted] = table_.try_emplace(src, in);
  if (inserted || it->second == in) return;
  if (is_location_announcement(frame)) {
    spdlog::info("switch: {} moved from port {} to port {}", src.to_string(), it->second, in);
    it->second = in;
  }
}

std::vector<PortId> LearningSwitch::flood(PortId in) const {
  std::vector<PortId> out;
  for (PortId p : ports_)
    if (p != in) out.push_back(p);
  return out;
}

std::vector<PortId> LearningSwitch::route(PortId in, FrameView frame) {
  if (!is_ethernet_frame(frame) || !ports_.contains(in)) return {};
  learn(in, frame);
  MacAddress dst = destination_mac(frame);
  if (dst.is_group()) return flood(in);
  auto known = port_of(dst);
  if (!known) return flood(in);
  if (*known == in) return {};
  return {*known};
}

}  // namespace ftvm::net
