#include "net/open_net.h"

#include "net/switch_client_backend.h"
#include "net/tap_backend.h"

namespace ftvm::net {

std::unique_ptr<NetBackend> open_net(NetBackendKind kind, const std::string& where) {
  if (kind == NetBackendKind::kTap) return std::make_unique<TapBackend>(where);
  return std::make_unique<SwitchClientBackend>(where);
}

}  // namespace ftvm::net
