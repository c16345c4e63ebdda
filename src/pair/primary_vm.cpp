#include "pair/primary_vm.h"

#include <optional>

#include "host/machine_config_builder.h"
#include "pair/live_loop.h"
#include "pair/pair_setup.h"

namespace ftvm::pair {

PrimaryVm::PrimaryVm(const host::VmConfig& config, const PairOptions& options)
    : options_(options), backends_(config) {
  machine_ = std::make_unique<machine::Machine>(host::build_machine_config(config, backends_.opened_disks()));
}

PrimaryVm::~PrimaryVm() = default;

int PrimaryVm::run() {
  // A primary started alone has no backup yet: it runs live and (given
  // spare agents) protects itself while the guest runs.
  std::optional<LogChannel> channel;
  if (!options_.alone) channel = open_channel(options_);
  LiveLoop loop(*machine_, backends_, signals_, options_, "primary");
  return loop.run(std::move(channel));
}

}  // namespace ftvm::pair
