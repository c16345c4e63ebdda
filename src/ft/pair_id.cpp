#include "ft/pair_id.h"

#include <fmt/format.h>

#include "machine/core/error.h"

namespace ftvm::ft {

void validate_pair_id(const PairId& pair) {
  if (pair.vm_name.empty()) throw Error("ft: the VM name must not be empty");
  if (pair.vm_name.size() > kMaxVmNameBytes) {
    throw Error(fmt::format("ft: the VM name is {} bytes, at most {} allowed", pair.vm_name.size(),
                            kMaxVmNameBytes));
  }
}

std::string tas_key(const PairId& pair) { return fmt::format("{}/{}", pair.vm_name, pair.generation); }

}  // namespace ftvm::ft
