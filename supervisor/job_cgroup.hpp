// A cgroup v2 per attempt, where the machine gives the launcher a writable
// one: the way SLURM's proctrack/cgroup tracks a job step. Whatever session
// or process group a worker's descendants move to, they stay in its
// attempt's cgroup, so one write to cgroup.kill ends them all, and the orphan
// reaper can do the same after `kill -9` of the launcher (reaper.hpp).
//
// Layout: <the launcher's own cgroup>/accel-<launcher pid>/attempt-<k>.
// The Supervisor creates the job cgroup before the orphan reaper forks (the reaper
// keeps descriptors of it); each attempt creates attempt-<k>, and every
// worker moves itself into it between fork and exec (spawn.hpp), before it
// can start anything. An attempt ends with cgroup.kill, a wait until
// cgroup.events says "populated 0", and rmdir -- on the event loop, one
// look at a time (kill(), empty(), remove()), or all at once where blocking
// is fine (end()); the job cgroup is removed when the supervisor closes.
//
// Where there is no cgroup2 mount, the launcher's cgroup is out of reach, or
// the directory is not ours to write (EACCES: not delegated; EROFS: a
// read-only /sys/fs/cgroup in a container; ENOENT...), or a probe child
// cannot move itself into the new cgroup (a threaded cgroup, a security
// module), create_for_this_process says why and the supervisor relies on
// process groups and the subreaper
// sweep alone (descendants.hpp). One limit remains then: a process that left
// its worker's process group (setsid) escapes a `kill -9` of the launcher.
// The sweep dies with the launcher; the reaper kills registered groups only;
// such a process has no parent-death signal, and once the launcher is gone
// nothing can tell it was the job's, whether its parent lives or it had
// been orphaned to the launcher.
//
// Failures after creation are logged ("accel" logger), never thrown, except
// where an attempt's cgroup cannot be made (start_attempt). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "base/unique_fd.hpp"

namespace accel::supervisor {

class AttemptCgroup {
 public:
  // Made by JobCgroup::start_attempt; `job_fd` is the job cgroup's
  // directory, which outlives this.
  AttemptCgroup(int job_fd, std::string name, std::filesystem::path path, base::UniqueFd dir,
                base::UniqueFd procs);
  AttemptCgroup(const AttemptCgroup&) = delete;
  AttemptCgroup& operator=(const AttemptCgroup&) = delete;
  // end() with a few seconds to wait.
  ~AttemptCgroup();

  // cgroup.procs, open for writing: a worker writes "0" into it (spawn.hpp).
  int procs_fd() const { return procs_.get(); }
  const std::filesystem::path& path() const { return path_; }

  // SIGKILL to everything inside; returns at once. Without cgroup.kill it is
  // one pass over the pids listed: call it again while !empty().
  void kill();
  // Whether no process is left inside (zombies do not count): one look at
  // cgroup.events, no wait. True once removed.
  bool empty() const;
  // Removes the (empty) cgroup; a populated one stays, with a warning.
  // Idempotent.
  void remove();
  // Kills, waits until the cgroup is empty or `timeout` passes, removes it:
  // blocks, for teardown. Idempotent.
  void end(std::chrono::milliseconds timeout);

 private:
  void kill_until(std::int64_t deadline_ns);

  int job_fd_;
  std::string name_;
  std::filesystem::path path_;
  base::UniqueFd dir_;
  base::UniqueFd procs_;
  bool ended_ = false;
};

class JobCgroup {
 public:
  struct Creation {
    std::unique_ptr<JobCgroup> cgroup;  // null when there is none to be had
    std::string why_not;                // then: why, for a debug line
  };
  // <own cgroup>/accel-<pid>, from /proc/self/mountinfo and /proc/self/cgroup.
  static Creation create_for_this_process();
  // `name` below the cgroup directory `parent` (tests; the above uses it).
  static Creation create_in(const std::filesystem::path& parent, const std::string& name);

  JobCgroup(const JobCgroup&) = delete;
  JobCgroup& operator=(const JobCgroup&) = delete;
  // remove()
  ~JobCgroup();

  // Creates attempt-<attempt>. Throws base::SystemError.
  std::unique_ptr<AttemptCgroup> start_attempt(int attempt);
  // Kills what is left in the job cgroup, waits for it to empty and removes
  // it with any attempt cgroup still there. Idempotent.
  void remove();

  const std::filesystem::path& path() const { return path_; }
  // Whether cgroup.kill exists (Linux 5.14+); else kills go pid by pid.
  bool has_kill_file() const { return has_kill_file_; }
  // For the orphan reaper: the job cgroup, the directory holding it, its name.
  int dir_fd() const { return dir_.get(); }
  int parent_fd() const { return parent_.get(); }
  const std::string& name() const { return name_; }

 private:
  JobCgroup(base::UniqueFd parent, base::UniqueFd dir, std::string name,
            std::filesystem::path path);

  base::UniqueFd parent_;
  base::UniqueFd dir_;
  std::string name_;
  std::filesystem::path path_;
  bool has_kill_file_ = false;
  bool removed_ = false;
};

}  // namespace accel::supervisor
