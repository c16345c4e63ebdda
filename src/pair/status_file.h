#pragma once
// Status files on disk: written atomically (a reader sees the old or the
// new file, never half of one) and found in a run directory.
//
// The default run directory, where `ftvm status` and `ftvm kill-primary`
// look when given none: $FTVM_RUN_DIR if set, else $XDG_RUNTIME_DIR/ftvm if
// XDG_RUNTIME_DIR is set, else /run/ftvm.
#include <string>
#include <vector>

#include "pair/status_record.h"

namespace ftvm::pair {

// Writes `text` to a temporary file next to `path` and renames it over
// `path`; creates the parent directory if missing. Throws ftvm::Error.
void write_file_atomically(const std::string& path, const std::string& text);

// Throws ftvm::Error naming the file and the problem.
VmStatus read_status_file(const std::string& path);

// The status files (*.json) in `dir`, sorted by name; a directory that does
// not exist has none. Throws ftvm::Error if `dir` cannot be read.
std::vector<std::string> list_status_files(const std::string& dir);

// From the environment as documented above (values passed in: no globals).
std::string default_run_dir(const char* ftvm_run_dir, const char* xdg_runtime_dir);
std::string default_run_dir();

}  // namespace ftvm::pair
