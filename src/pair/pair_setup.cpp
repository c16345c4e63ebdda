#include "pair/pair_setup.h"

#include <cstdio>

#include "machine/core/error.h"
#include "tas/etcd_client.h"

namespace ftvm::pair {

std::string_view role_name(ft::InitialRole role) { return role == ft::InitialRole::kPrimary ? "primary" : "backup"; }

LogChannel open_channel(const PairOptions& options) {
  if (!options.peer.empty()) return LogChannel::connect(options.peer, options.connect_timeout);
  ChannelListener listener(options.listen);
  // One parseable line, so scripts that asked for port 0 learn the port.
  std::fprintf(stderr, "ftvm vm: %s waiting for its peer on port %u\n", role_name(options.role).data(),
               listener.port());
  std::fflush(stderr);
  auto channel = listener.accept(options.connect_timeout);
  if (!channel) throw Error("no peer connected to " + options.listen + " in time");
  return std::move(*channel);
}

std::unique_ptr<tas::TestAndSet> make_tas_client(const PairOptions& options) {
  if (!options.tas.empty()) return tas::make_builtin_client(options.tas, options.tas_timeout);
  return std::make_unique<tas::EtcdClient>(options.tas_etcd, "/ftvm/tas/", options.tas_timeout);
}

}  // namespace ftvm::pair
