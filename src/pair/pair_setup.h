#pragma once
// Steps both sides of a pair share at start: opening the logging channel
// (connect to --peer or accept on --listen) and the test-and-set client.
#include <memory>

#include "pair/log_channel.h"
#include "pair/pair_options.h"
#include "tas/client.h"

namespace ftvm::pair {

// Blocks until the peer is there (bounded by options.connect_timeout);
// throws ftvm::Error when it never comes.
LogChannel open_channel(const PairOptions& options);

std::unique_ptr<tas::TestAndSet> make_tas_client(const PairOptions& options);

std::string_view role_name(ft::InitialRole role);

}  // namespace ftvm::pair
