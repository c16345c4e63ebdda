#pragma once
// The client side of a VM's control socket (see ControlServer): sends one
// request line and hands every answer line to the caller as it arrives.
#include <chrono>
#include <functional>
#include <string>

namespace ftvm::pair {

// Connects to the unix socket `path`, sends `request` (a newline is
// added), then calls `on_line` for each line received until the VM closes
// the connection or `on_line` returns false. Throws ftvm::Error when the
// socket cannot be reached or no line came within `limit` of the previous.
void control_exchange(const std::string& path, const std::string& request, std::chrono::milliseconds limit,
                      const std::function<bool(const std::string&)>& on_line);

}  // namespace ftvm::pair
