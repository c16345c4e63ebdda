#pragma once
// Opens the backend a NIC spec names.
#include <memory>
#include <string>

#include "net/net_backend.h"

namespace ftvm::net {

enum class NetBackendKind { kSwitch, kTap };

// Throws ftvm::Error with one clear line when it cannot be opened.
std::unique_ptr<NetBackend> open_net(NetBackendKind kind, const std::string& where);

}  // namespace ftvm::net
