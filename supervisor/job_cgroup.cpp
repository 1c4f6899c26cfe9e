#include "supervisor/job_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd_io.hpp"
#include "base/system_error.hpp"
#include "supervisor/cgroup_ops.hpp"
#include "supervisor/cgroup_paths.hpp"
#include "supervisor/log.hpp"

namespace accel::supervisor {

namespace {

// How long the job cgroup's removal waits for stragglers; attempts have
// normally emptied it already.
constexpr auto kJobRemovalTimeout = std::chrono::seconds(5);
constexpr auto kAttemptEndTimeout = std::chrono::seconds(5);

std::int64_t deadline_after(std::chrono::milliseconds timeout) {
  return cgroup::now_ns() + std::chrono::nanoseconds(timeout).count();
}

std::string read_text(const char* path, int& error) {
  std::string text;
  base::UniqueFd file(::open(path, O_RDONLY | O_CLOEXEC));
  error = file.valid() ? base::read_all(file.get(), text) : errno;
  return text;
}

// mkdirat, replacing an empty leftover of the same name (an earlier Supervisor
// of this process, or a dead process that had our pid). 0 or the errno.
int make_cgroup(int parent_fd, const std::string& name) {
  if (::mkdirat(parent_fd, name.c_str(), 0755) == 0) return 0;
  if (errno != EEXIST) return errno;
  const int removed = cgroup::remove_tree(parent_fd, name.c_str());
  if (removed != 0) return removed == EBUSY ? EEXIST : removed;
  return ::mkdirat(parent_fd, name.c_str(), 0755) == 0 ? 0 : errno;
}

// Whether a process can really be moved into the cgroup at `dir_fd`: a
// child does what every worker will do (write "0" to cgroup.procs) and
// exits. Permission bits do not tell everything (a threaded cgroup, a
// security module, a cgroup namespace boundary), and a worker that cannot
// join must not be found out only after a kill -9. 0 or the errno.
int try_moving_a_process_into(int dir_fd) {
  base::UniqueFd procs(::openat(dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC));
  if (!procs.valid()) return errno;
  const pid_t child = ::fork();
  if (child < 0) return errno;
  if (child == 0) {
    const int error = cgroup::join(procs.get());
    ::_exit(error == 0 ? 0 : (error < 255 ? error : EIO));
  }
  int status = 0;
  if (base::retry_on_eintr([&] { return ::waitpid(child, &status, 0); }) != child) return errno;
  if (!WIFEXITED(status)) return EIO;
  return WEXITSTATUS(status);
}

}  // namespace

AttemptCgroup::AttemptCgroup(int job_fd, std::string name, std::filesystem::path path,
                             base::UniqueFd dir, base::UniqueFd procs)
    : job_fd_(job_fd),
      name_(std::move(name)),
      path_(std::move(path)),
      dir_(std::move(dir)),
      procs_(std::move(procs)) {}

AttemptCgroup::~AttemptCgroup() {
  end(std::chrono::duration_cast<std::chrono::milliseconds>(kAttemptEndTimeout));
}

void AttemptCgroup::kill() {
  if (ended_) return;
  kill_until(cgroup::now_ns());
}

void AttemptCgroup::kill_until(std::int64_t deadline_ns) {
  // ETIMEDOUT: without cgroup.kill, some listed pids were still there at the
  // deadline; the caller looks at empty() and kills again, or warns.
  const int error = cgroup::kill_tree(dir_.get(), deadline_ns);
  if (error != 0 && error != ETIMEDOUT)
    log()->warn("cannot kill the processes in {}: {}", path_.string(), std::strerror(error));
}

bool AttemptCgroup::empty() const {
  // A deadline of now: one look at cgroup.events, no wait.
  return ended_ || cgroup::wait_empty(dir_.get(), cgroup::now_ns());
}

void AttemptCgroup::remove() {
  if (ended_) return;
  ended_ = true;
  procs_.reset();
  const int error = cgroup::remove_tree(job_fd_, name_.c_str(), dir_.get());
  if (error == EBUSY) {
    log()->warn("processes of {} are still alive after SIGKILL; the cgroup stays", path_.string());
  } else if (error != 0 && error != ENOENT) {
    log()->warn("cannot remove the cgroup {}: {}", path_.string(), std::strerror(error));
  }
  dir_.reset();
}

void AttemptCgroup::end(std::chrono::milliseconds timeout) {
  if (ended_) return;
  const std::int64_t deadline = deadline_after(timeout);
  kill_until(deadline);
  if (!cgroup::wait_empty(dir_.get(), deadline)) {
    log()->warn("processes of {} did not exit within {} ms of SIGKILL; the cgroup stays",
                path_.string(), timeout.count());
    ended_ = true;
    procs_.reset();
    return;
  }
  remove();
}

JobCgroup::JobCgroup(base::UniqueFd parent, base::UniqueFd dir, std::string name,
                     std::filesystem::path path)
    : parent_(std::move(parent)),
      dir_(std::move(dir)),
      name_(std::move(name)),
      path_(std::move(path)),
      has_kill_file_(cgroup::has_kill_file(dir_.get())) {}

JobCgroup::~JobCgroup() {
  remove();
}

JobCgroup::Creation JobCgroup::create_for_this_process() {
  int error = 0;
  const std::string mountinfo = read_text("/proc/self/mountinfo", error);
  if (error != 0)
    return {nullptr, std::string("cannot read /proc/self/mountinfo: ") + std::strerror(error)};
  const std::vector<Cgroup2Mount> mounts = cgroup2_mounts(mountinfo);
  if (mounts.empty()) return {nullptr, "no cgroup2 file system is mounted"};
  const std::string own_text = read_text("/proc/self/cgroup", error);
  if (error != 0)
    return {nullptr, std::string("cannot read /proc/self/cgroup: ") + std::strerror(error)};
  const std::optional<std::string> own = unified_cgroup(own_text);
  if (!own) return {nullptr, "this process has no reachable cgroup v2 (/proc/self/cgroup)"};
  const std::optional<std::filesystem::path> directory = cgroup_directory(mounts, *own);
  if (!directory) return {nullptr, "no cgroup2 mount shows this process's cgroup " + *own};
  return create_in(*directory, "accel-" + std::to_string(::getpid()));
}

JobCgroup::Creation JobCgroup::create_in(const std::filesystem::path& parent,
                                         const std::string& name) {
  base::UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) {
    return {nullptr, "cannot open " + parent.string() + ": " + std::strerror(errno)};
  }
  // Moving a worker from our cgroup into a child of it needs write access to
  // our cgroup's cgroup.procs (the common ancestor), not only to the child's.
  if (::faccessat(parent_fd.get(), "cgroup.procs", W_OK, AT_EACCESS) != 0) {
    return {nullptr, "cannot move processes out of " + parent.string() +
                         " (cgroup.procs: " + std::strerror(errno) + ")"};
  }
  const int made = make_cgroup(parent_fd.get(), name);
  const std::filesystem::path path = parent / name;
  if (made != 0) return {nullptr, "cannot create " + path.string() + ": " + std::strerror(made)};
  base::UniqueFd dir(::openat(parent_fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const int error = dir.valid() ? try_moving_a_process_into(dir.get()) : errno;
  if (error != 0) {
    ::unlinkat(parent_fd.get(), name.c_str(), AT_REMOVEDIR);
    return {nullptr, "cannot move a process into " + path.string() + ": " + std::strerror(error)};
  }
  return {
      std::unique_ptr<JobCgroup>(new JobCgroup(std::move(parent_fd), std::move(dir), name, path)),
      ""};
}

std::unique_ptr<AttemptCgroup> JobCgroup::start_attempt(int attempt) {
  const std::string name = "attempt-" + std::to_string(attempt);
  const std::filesystem::path path = path_ / name;
  const int made = make_cgroup(dir_.get(), name);
  if (made != 0) throw base::SystemError("mkdir " + path.string(), made, ACCEL_HERE);
  base::UniqueFd dir(::openat(dir_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) throw base::SystemError("open " + path.string(), errno, ACCEL_HERE);
  base::UniqueFd procs(::openat(dir.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
  if (!procs.valid()) {
    const int open_error = errno;
    ::unlinkat(dir_.get(), name.c_str(), AT_REMOVEDIR);
    throw base::SystemError("open " + (path / "cgroup.procs").string(), open_error, ACCEL_HERE);
  }
  return std::make_unique<AttemptCgroup>(dir_.get(), name, path, std::move(dir), std::move(procs));
}

void JobCgroup::remove() {
  if (removed_) return;
  removed_ = true;
  const std::int64_t deadline =
      deadline_after(std::chrono::duration_cast<std::chrono::milliseconds>(kJobRemovalTimeout));
  const int kill_error = cgroup::kill_tree(dir_.get(), deadline);
  if (kill_error != 0 && kill_error != ENOENT) {
    log()->warn("cannot kill the processes in {}: {}", path_.string(), std::strerror(kill_error));
  }
  if (!cgroup::wait_empty(dir_.get(), deadline)) {
    log()->warn("processes in {} did not exit within {} s of SIGKILL; the cgroup stays",
                path_.string(), kJobRemovalTimeout.count());
    return;
  }
  const int error = cgroup::remove_tree(parent_.get(), name_.c_str(), dir_.get());
  if (error != 0 && error != ENOENT) {
    log()->warn("cannot remove the cgroup {}: {}", path_.string(), std::strerror(error));
  }
}

}  // namespace accel::supervisor
