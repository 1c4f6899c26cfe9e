// The config layer's file system effects: reading a config file and writing
// one atomically. A reader of the path sees the old file or the new one,
// never a partial one: the new content goes to a temporary file in the same
// directory, is fsync'ed, and is renamed over the path (then the directory is
// fsync'ed so the rename survives a crash).
//
// Errors come back as data; each message names the path and the system's
// reason (strerror), e.g. "cannot create /x/y.yaml: Permission denied".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace accel::config {

struct ReadResult {
  std::optional<std::string> contents;  // nullopt on failure
  std::string error;
  int error_number = 0;  // errno of the failure (ENOENT: no such file)
};

ReadResult read_file(const std::string& path);

enum class IfExists {
  kRefuse,             // fail with already_exists (checked atomically: link(2))
  kReplaceKeepBackup,  // replace it; the old content is kept at backup_path(path)
  kReplace,            // replace it without a copy (how the .bak itself is written)
};

struct WriteResult {
  bool ok = false;
  bool already_exists = false;        // kRefuse found a file; nothing was written
  std::optional<std::string> backup;  // where the replaced content went
  std::string error;
};

// Creates missing parent directories (mode 0777 & ~umask, as Python's
// makedirs). The new file gets the replaced file's permission bits, or 0666 &
// ~umask when there was none.
WriteResult write_file_atomically(const std::string& path, std::string_view contents,
                                  IfExists if_exists);

// "<path>.bak"
std::string backup_path(const std::string& path);

}  // namespace accel::config
