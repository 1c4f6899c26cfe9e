// What `accel test` and `accel bench` share to run a job of their own: accel
// re-executes itself as the worker (`accel __test_worker`, `accel
// __bench_worker`) under the real launcher, and the command and its workers
// exchange files through a scratch directory of the command's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/environment.hpp"
#include "launch/launch_request.hpp"

namespace accel::cli {

// The running accel binary (/proc/self/exe, resolved), which the workers run.
std::filesystem::path own_executable();

// Makes `request` run `accel <worker_args...>` directly (no Python), quietly
// (no notice about defaulted values: the command chose them).
void run_accel_as_worker(launch::LaunchRequest& request,
                         const std::vector<std::string>& worker_args);

// A private directory under $TMPDIR (else /tmp), removed with everything in
// it when the object goes. Throws base::SystemError when it cannot be made.
class ScratchDirectory {
 public:
  // "accel-test" -> $TMPDIR/accel-test-XXXXXX (TMPDIR looked up in `env`).
  ScratchDirectory(const std::string& purpose, const base::EnvLookup& env);
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace accel::cli
