#include "disk/open_disk.h"

#include "disk/nbd_backend.h"
#include "disk/raw_file_backend.h"

namespace ftvm::disk {

bool is_nbd_uri(const std::string& spec) {
  return spec.starts_with("nbd://") || spec.starts_with("nbds://") || spec.starts_with("nbd+unix://") ||
         spec.starts_with("nbds+unix://");
}

std::unique_ptr<DiskBackend> open_disk(const std::string& spec, bool read_only) {
  if (is_nbd_uri(spec)) return std::make_unique<NbdBackend>(spec, read_only);
  return std::make_unique<RawFileBackend>(spec, read_only);
}

}  // namespace ftvm::disk
