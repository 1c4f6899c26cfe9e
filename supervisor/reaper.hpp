// The orphan reaper: what stops a job's processes when the launcher cannot,
// because it was killed (`kill -9`, the OOM killer).
//
// PR_SET_PDEATHSIG only covers the launcher's direct children; a worker's own
// children (DataLoader workers, compilers, shells) would be reparented and
// live on. So the Supervisor first forks this tiny process (no exec). It holds the
// read end of a pipe whose only write end is the launcher's (close-on-exec).
// Every worker, between fork and exec, writes its process group id (= its
// pid, it called setsid) into that pipe, so registration happens before the
// worker can start anything, whatever becomes of the launcher. When the
// reaper reads EOF -- the launcher exited, normally or by SIGKILL -- it sends
// SIGKILL to every group still registered; then, where the job has a cgroup
// (job_cgroup.hpp), it writes "1" to the job cgroup's cgroup.kill (pid by
// pid on kernels without it), waits until the cgroup is empty (at most 10 s)
// and removes it with its attempt cgroups; then it exits. The cgroup is what
// catches a process that left its worker's process group (setsid): without
// one, such a process survives a `kill -9` of the launcher (a normal end, a
// failure or Ctrl-C sweeps it: descendants.hpp).
//
// After fork the reaper is async-signal-safe and allocates nothing: the
// groups live in a fixed array and the cgroup is held by descriptors opened
// before fork (cgroup_ops.hpp), never by a path that a later job could reuse.
//
// The reaper sits in its own process group and ignores job-control and
// termination signals, so a Ctrl-C to the terminal or a signal to the
// launcher's group cannot take it away before it has done its job. The
// launcher unregisters ("forgets") a group once it has seen it empty, so a
// recycled pid is never killed by mistake.
//
// Not thread-safe; owned by the Supervisor (supervisor.hpp).
#pragma once

#include <sys/types.h>

#include "base/unique_fd.hpp"
#include "supervisor/job_cgroup.hpp"

namespace accel::supervisor {

class OrphanReaper {
 public:
  // Forks the reaper process, which keeps descriptors of `job_cgroup` (may be
  // null) to end it if the launcher dies. Throws base::SystemError.
  explicit OrphanReaper(const JobCgroup* job_cgroup = nullptr);
  OrphanReaper(const OrphanReaper&) = delete;
  OrphanReaper& operator=(const OrphanReaper&) = delete;
  // finish(), swallowing nothing: finish never throws.
  ~OrphanReaper();

  // Write end of the registration pipe, for spawn_worker's child.
  int registration_fd() const { return registration_.get(); }
  pid_t pid() const { return pid_; }

  // The group is known to be empty: the reaper must not kill it later.
  void forget(pid_t group);
  // The supervisor's waitpid(-1) loop collected the reaper's status; it must
  // not be waited for again. Logs if the reaper died before its time.
  void reaped(int wait_status);
  // Closes the pipe (the reaper kills what is still registered, ends the job
  // cgroup if the supervisor has not removed it, and exits) and waits for it.
  void finish();

 private:
  base::UniqueFd registration_;
  pid_t pid_ = -1;
};

}  // namespace accel::supervisor
