#include "base/run_captured.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/system_error.hpp"
#include "base/unique_fd.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace accel::base {

namespace {

using Clock = std::chrono::steady_clock;

// posix_spawn rather than fork: the child needs nothing between fork and
// exec beyond what file actions and attributes express (its own process
// group, three redirected streams), and glibc's posix_spawn uses
// clone(CLONE_VM | CLONE_VFORK), cheap even from a large process.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attributes_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t actions_{};
  posix_spawnattr_t attributes_{};
};

// Reads what is there now into `into` (dropping bytes past the cap); false
// at end of file or on an error (then the stream counts as closed).
bool drain(int fd, std::string& into) {
  char buffer[16384];
  const ssize_t got = retry_on_eintr([&] { return ::read(fd, buffer, sizeof buffer); });
  if (got <= 0) return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  const std::size_t room =
      into.size() < kCapturedOutputLimit ? kCapturedOutputLimit - into.size() : 0;
  into.append(buffer, std::min(room, static_cast<std::size_t>(got)));
  return true;
}

// Collects both streams until they close or the deadline passes; true when
// the deadline passed first.
bool collect(int out_fd, int err_fd, Clock::time_point deadline, CapturedRun& run) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&run.output, &run.errors};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return true;
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    ACCEL_CHECK_SYSCALL(ready, "poll (reading a helper program's output)");
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      if (!drain(fds[i].fd, *sinks[i])) fds[i].fd = -1;  // poll skips negative fds
    }
  }
  return false;
}

// Waits for `pid` until the deadline (polling, as SIGCHLD may belong to a
// caller's event loop); true when it was reaped.
bool reap_by(pid_t pid, Clock::time_point deadline, int& status) {
  for (;;) {
    const pid_t done = retry_on_eintr([&] { return ::waitpid(pid, &status, WNOHANG); });
    if (done == pid || done < 0) return done == pid;
    if (Clock::now() >= deadline) return false;
    ::usleep(1000);
  }
}

void describe_end(int status, CapturedRun& run) {
  if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    if (run.exit_code != 0) run.error = "exited with status " + std::to_string(run.exit_code);
  } else if (WIFSIGNALED(status)) {
    run.signal = WTERMSIG(status);
    run.error = std::string("killed by signal ") + ::strsignal(run.signal);
  }
}

}  // namespace

CapturedRun run_captured(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CapturedRun run;
  if (argv.empty()) {
    run.error = "no program to run";
    return run;
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  SpawnSetup setup;
  ::posix_spawn_file_actions_addopen(&setup.actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions_, out.write_end.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&setup.actions_, err.write_end.get(), STDERR_FILENO);
  // Its own process group, so the deadline can kill whatever it started too.
  ::posix_spawnattr_setpgroup(&setup.attributes_, 0);
  ::posix_spawnattr_setflags(&setup.attributes_, POSIX_SPAWN_SETPGROUP);

  std::vector<char*> raw_argv;
  raw_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) raw_argv.push_back(const_cast<char*>(arg.c_str()));
  raw_argv.push_back(nullptr);
  pid_t pid = -1;
  // posix_spawn returns the error number instead of setting errno.
  const int spawn_error = ::posix_spawn(&pid, argv[0].c_str(), &setup.actions_, &setup.attributes_,
                                        raw_argv.data(), environ);
  if (spawn_error != 0) {
    run.error = argv[0] + ": " + std::strerror(spawn_error);
    return run;
  }
  run.started = true;
  out.write_end.reset();  // our copies: the pipes close when the child's do
  err.write_end.reset();
  set_nonblocking(out.read_end.get());
  set_nonblocking(err.read_end.get());

  int status = 0;
  run.timed_out = collect(out.read_end.get(), err.read_end.get(), deadline, run);
  if (!run.timed_out) run.timed_out = !reap_by(pid, deadline, status);
  if (run.timed_out) {
    ::kill(-pid, SIGKILL);
    retry_on_eintr([&] { return ::waitpid(pid, &status, 0); });
    run.error = "no answer within " + std::to_string(timeout.count()) + " ms (killed)";
    return run;
  }
  describe_end(status, run);
  return run;
}

}  // namespace accel::base
