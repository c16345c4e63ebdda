#include "pair/control_path.h"

#include <filesystem>

#include "machine/core/error.h"

namespace ftvm::pair {

namespace fs = std::filesystem;

std::string default_control_path(const std::string& status_file) {
  fs::path p(status_file);
  p.replace_extension(".control");
  return p.string();
}

std::string resolve_control_target(const std::string& vm) {
  std::error_code ec;
  if (fs::is_socket(vm, ec)) return vm;
  std::string next_to = default_control_path(vm);
  if (fs::is_socket(next_to, ec)) return next_to;
  throw Error("no control socket at " + vm + " or " + next_to +
              " (is the VM running, with --control or --status-file and --config?)");
}

}  // namespace ftvm::pair
