#pragma once
// What the backup must learn from the primary before it can build the same
// machine: the disks' sizes. The backup opens no disk while it is a backup,
// so the primary writes them into the log header's creation info (the first
// bytes on the channel), and the header's config hash then proves both
// sides built identical machines.
//
//   "ftvm-pair/1 disks=<bytes>:<rw|ro>,<bytes>:<rw|ro>"   (empty list: "disks=")
#include <string>
#include <vector>

#include "host/machine_config_builder.h"

namespace ftvm::pair {

std::string describe_machine(const std::vector<host::OpenedDisk>& disks);

// Throws ftvm::Error with the offending text when it is not a description
// this version wrote.
std::vector<host::OpenedDisk> parse_machine_description(const std::string& text);

}  // namespace ftvm::pair
