#pragma once
// Where a running VM's control socket lives (see ControlServer), so that
// `ftvm protect` can be pointed at the VM's status file as well as at the
// socket itself.
#include <string>

namespace ftvm::pair {

// The control socket next to a status file: its extension replaced by
// ".control" ("/run/vm/web.json" -> "/run/vm/web.control").
std::string default_control_path(const std::string& status_file);

// What `ftvm protect VM` talks to: VM itself when it is a unix socket,
// otherwise the control socket next to it (VM taken as a status file).
// Throws ftvm::Error when neither exists.
std::string resolve_control_target(const std::string& vm);

}  // namespace ftvm::pair
