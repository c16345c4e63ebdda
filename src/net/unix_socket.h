#pragma once
// Unix stream sockets for the switch and its clients, with clear errors.
#include <string>

#include "disk/unique_fd.h"

namespace ftvm::net {

using disk::UniqueFd;

// Listens at `path`, replacing a stale socket file left by a dead switch.
// Throws ftvm::Error when the path is unusable or another switch is live.
UniqueFd listen_unix(const std::string& path);
// Connects to `path`; throws ftvm::Error naming it when nobody listens.
UniqueFd connect_unix(const std::string& path);
// Non-blocking, close-on-exec, roomy buffers for bursts of frames.
void tune_frame_socket(int fd);

}  // namespace ftvm::net
