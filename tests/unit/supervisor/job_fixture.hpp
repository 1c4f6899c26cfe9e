// Shared by the supervisor tests that run real processes: a JobSpec running
// /bin/sh -c SCRIPT with the console captured in files of a temp folder,
// and a look at /proc for processes left in a process group.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>

#include "supervisor/job.hpp"
#include "supervisor/supervisor.hpp"

namespace accel::supervisor::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("accel-sup-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// A job of `workers` x /bin/sh -c SCRIPT whose console is two files.
class ShellJob {
 public:
  ShellJob(const std::string& script, int workers) {
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.nproc_per_node = workers;
    spec.ranks.layout = RankLayout::for_machine(0, 1, workers);
    spec.run_id = "test-run";
    spec.hostname = "testhost";
    spec.grace_period = std::chrono::milliseconds(5000);
    stdout_fd_ = ::open((dir.path() / "console.out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    stderr_fd_ = ::open((dir.path() / "console.err").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    spec.output.console_stdout_fd = stdout_fd_;
    spec.output.console_stderr_fd = stderr_fd_;
  }
  ~ShellJob() {
    ::close(stdout_fd_);
    ::close(stderr_fd_);
  }
  std::string console_out() const { return read_file(dir.path() / "console.out"); }
  std::string console_err() const { return read_file(dir.path() / "console.err"); }

  TempDir dir;
  JobSpec spec;

 private:
  int stdout_fd_;
  int stderr_fd_;
};

// Pids of live processes whose environment holds `marker` (zombies excluded).
inline int count_live_with_marker(const std::string& marker) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = read_file(entry.path() / "stat");
    std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') continue;
    if (read_file(entry.path() / "environ").find(marker) != std::string::npos) ++count;
  }
  return count;
}

// Polls `condition` every 10 ms until it holds or `timeout` passes, a
// deadline generous enough for a loaded machine; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(10'000);
  }
  return true;
}

// Whether workers 0..count-1 have each touched <dir>/ready.<rank>.
inline bool all_ready(const std::filesystem::path& dir, int count) {
  for (int rank = 0; rank < count; ++rank) {
    if (!std::filesystem::exists(dir / ("ready." + std::to_string(rank)))) return false;
  }
  return true;
}

// A child process that runs `spec` as `accel launch` would, then exits: a
// launcher the test can kill -9. Returns its pid.
inline pid_t fork_launcher(const JobSpec& spec) {
  const pid_t launcher = ::fork();
  if (launcher == 0) {
    run_job(spec);
    ::_exit(0);
  }
  return launcher;
}

}  // namespace accel::supervisor::testing
