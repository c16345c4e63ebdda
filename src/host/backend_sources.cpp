#include "host/backend_sources.h"

namespace ftvm::host {

void DiskInputSource::collect(std::vector<machine::Input>& out) {
  for (auto& c : disk_.take_completions()) {
    machine::Input in;
    in.kind = machine::InputKind::kCompletion;
    in.device = slot_;
    in.value = c.tag;
    in.status = static_cast<std::uint32_t>(c.status);
    in.bytes = std::move(c.data);
    out.push_back(std::move(in));
  }
}

void NetInputSource::collect(std::vector<machine::Input>& out) {
  for (auto& f : nic_.take_frames()) {
    machine::Input in;
    in.kind = machine::InputKind::kDeviceData;
    in.device = slot_;
    in.bytes = std::move(f);
    out.push_back(std::move(in));
  }
}

}  // namespace ftvm::host
