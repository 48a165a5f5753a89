// File-system steps of the durability path, as values: write everything, fsync a
// file, fsync a directory (so a rename survives a crash), create directories.
// Disk full, quota and I/O errors are temporary (the MTA keeps the message).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "result.h"

namespace csirtgw {

Error errno_error(std::string_view what, int err);

Status write_all(int fd, std::string_view bytes);
Status sync_file(int fd);
// A whole file in one buffer of its size (a stream buffer plus its str() copy
// would hold a large message two or three times over). Missing: bad_input
// "missing"; any other failure: temporary.
Result<std::string> read_whole_file(const std::filesystem::path& path);
Status sync_directory(const std::filesystem::path& dir);
// Creates the directory (and parents) if needed and sets its mode.
Status ensure_directory(const std::filesystem::path& dir, mode_t mode);
Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace csirtgw
