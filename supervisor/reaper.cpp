#include "supervisor/reaper.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <span>

#include "base/system_error.hpp"
#include "supervisor/cgroup_ops.hpp"
#include "supervisor/log.hpp"

namespace accel::supervisor {

namespace {

// Plenty for every group one launcher has alive at a time (the launcher
// forgets empty groups); a fixed array keeps the reaper free of malloc.
constexpr int kMaxGroups = 16384;
// How long the reaper waits for the job cgroup to empty after cgroup.kill
// before it gives up removing the directories.
constexpr std::int64_t kCgroupExitTimeoutNs = 10'000'000'000;

// The job cgroup as the reaper needs it, prepared before fork: descriptors
// and a name in a fixed buffer, so nothing is allocated after.
struct ReaperCgroup {
  int dir_fd = -1;     // the job cgroup
  int parent_fd = -1;  // the directory that holds it
  char name[64] = {};  // its name there
};

// Keeps `fds` (-1: none) as descriptors 3, 4, 5... in order and closes every
// other descriptor above stderr; rewrites `fds` to the new numbers.
void keep_only(std::span<int> fds) {
  const int first = 3;
  const int after = first + static_cast<int>(fds.size());
  // Through numbers above the targets first, so no dup2 overwrites a
  // descriptor still to be moved.
  for (int& fd : fds) {
    if (fd >= 0) fd = ::fcntl(fd, F_DUPFD, after);
  }
  for (std::size_t i = 0; i < fds.size(); ++i) {
    const int target = first + static_cast<int>(i);
    if (fds[i] < 0) {
      ::close(target);  // a slot left empty must not keep what was there
    } else {
      fds[i] = ::dup2(fds[i], target) == target ? target : -1;
    }
  }
  ::close_range(static_cast<unsigned>(after), ~0U, 0);
}

// After cgroup.kill, once the cgroup is empty: its directories go too, but
// only if the name still is the cgroup we were given (ESTALE otherwise).
void end_job_cgroup(const ReaperCgroup& cgroup) {
  if (cgroup.dir_fd < 0) return;
  const std::int64_t deadline = cgroup::now_ns() + kCgroupExitTimeoutNs;
  (void)cgroup::kill_tree(cgroup.dir_fd, deadline);
  if (cgroup::wait_empty(cgroup.dir_fd, deadline) && cgroup.parent_fd >= 0) {
    (void)cgroup::remove_tree(cgroup.parent_fd, cgroup.name, cgroup.dir_fd);
  }
}

[[noreturn]] void reaper_main(int registrations, ReaperCgroup cgroup) {
  ::prctl(PR_SET_NAME, "accel-reaper");
  ::setpgid(0, 0);
  for (int signal :
       {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGPIPE}) {
    (void)::signal(signal, SIG_IGN);  // cannot fail for these numbers
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  // Keep only the registration pipe, the job cgroup's descriptors and
  // stderr: holding the launcher's other descriptors (its stdout pipe,
  // sockets) would keep them open after it died.
  int kept[] = {registrations, cgroup.dir_fd, cgroup.parent_fd};
  keep_only(kept);
  registrations = kept[0];
  cgroup.dir_fd = kept[1];
  cgroup.parent_fd = kept[2];
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    if (null_fd > STDERR_FILENO && null_fd != registrations && null_fd != cgroup.dir_fd &&
        null_fd != cgroup.parent_fd) {
      ::close(null_fd);
    }
  }

  static std::int32_t groups[kMaxGroups];
  int count = 0;
  std::int32_t message[1024];
  for (;;) {
    ssize_t got =
        base::retry_on_eintr([&] { return ::read(registrations, message, sizeof message); });
    if (got <= 0) break;  // EOF: the launcher is gone
    // Writes are 4-byte atomic records and the buffer is a multiple of 4,
    // so a read never splits a record.
    for (ssize_t i = 0; i < got / static_cast<ssize_t>(sizeof(std::int32_t)); ++i) {
      std::int32_t group = message[i];
      if (group > 0 && count < kMaxGroups) {
        groups[count++] = group;
      } else if (group < 0) {
        for (int j = 0; j < count; ++j) {
          if (groups[j] == -group) {
            groups[j] = groups[--count];
            break;
          }
        }
      }
    }
  }
  for (int j = 0; j < count; ++j) ::kill(-groups[j], SIGKILL);
  end_job_cgroup(cgroup);
  ::_exit(0);
}

}  // namespace

OrphanReaper::OrphanReaper(const JobCgroup* job_cgroup) {
  ReaperCgroup cgroup;
  if (job_cgroup != nullptr && job_cgroup->name().size() < sizeof cgroup.name) {
    cgroup.dir_fd = job_cgroup->dir_fd();
    cgroup.parent_fd = job_cgroup->parent_fd();
    std::memcpy(cgroup.name, job_cgroup->name().c_str(), job_cgroup->name().size() + 1);
  }
  base::Pipe pipe = base::make_pipe();
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &previous);
  pid_t pid = ::fork();
  if (pid == 0) {
    pipe.write_end.release();  // closed by close_range; never run a destructor here
    reaper_main(pipe.read_end.release(), cgroup);
  }
  int fork_errno = errno;
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) throw base::SystemError("fork (starting the orphan reaper)", fork_errno, ACCEL_HERE);
  pid_ = pid;
  registration_ = std::move(pipe.write_end);
}

OrphanReaper::~OrphanReaper() {
  finish();
}

void OrphanReaper::forget(pid_t group) {
  if (!registration_.valid()) return;
  std::int32_t message = -group;
  // EPIPE (SIGPIPE is ignored by the Supervisor) means the reaper is gone; reaped() logs that.
  base::retry_on_eintr([&] { return ::write(registration_.get(), &message, sizeof message); });
}

void OrphanReaper::reaped(int wait_status) {
  if (registration_.valid()) {
    log()->warn(
        "the orphan reaper (pid {}) died early (wait status {:#x}); processes started "
        "by workers may outlive a killed launcher",
        pid_, wait_status);
  }
  pid_ = -1;
}

void OrphanReaper::finish() {
  registration_.reset();
  if (pid_ > 0) {
    base::retry_on_eintr([&] { return ::waitpid(pid_, nullptr, 0); });
    pid_ = -1;
  }
}

}  // namespace accel::supervisor
