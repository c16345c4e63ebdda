#pragma once
// Opens the backend a disk spec names: an NBD URI (nbd:// or nbd+unix://)
// or a path to a raw image file.
#include <memory>
#include <string>

#include "disk/disk_backend.h"

namespace ftvm::disk {

bool is_nbd_uri(const std::string& spec);
// Throws ftvm::Error with one clear line when the image cannot be opened.
std::unique_ptr<DiskBackend> open_disk(const std::string& spec, bool read_only);

}  // namespace ftvm::disk
