#include "cli/worker_launch.hpp"

#include <stdlib.h>

#include <system_error>

#include "base/system_error.hpp"

namespace accel::cli {

std::filesystem::path own_executable() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw base::SystemError("readlink /proc/self/exe (the accel binary to run as the worker)",
                            error.value(), ACCEL_HERE);
  }
  return path;
}

void run_accel_as_worker(launch::LaunchRequest& request,
                         const std::vector<std::string>& worker_args) {
  request.command = {own_executable().string()};
  request.command.insert(request.command.end(), worker_args.begin(), worker_args.end());
  request.flags.no_python = true;
  request.flags.module = false;
  request.quiet = true;
}

ScratchDirectory::ScratchDirectory(const std::string& purpose, const base::EnvLookup& env) {
  const std::string tmpdir = env("TMPDIR").value_or("");
  const std::filesystem::path base = tmpdir.empty() ? "/tmp" : tmpdir;
  std::string pattern = (base / (purpose + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw base::SystemError("mkdtemp " + pattern, errno, ACCEL_HERE);
  }
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;  // best effort: a leftover in $TMPDIR is harmless
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace accel::cli
