// Cgroups per job and attempt, with real cgroups and real processes: what
// cgroup.kill (and the pid-by-pid fallback) reaches, waiting until a cgroup
// is empty, removing the directories, and the orphan reaper ending the job
// cgroup after kill -9 of its launcher. Where this machine gives no writable
// cgroup v2, the tests check the fallback instead (cgroup_fixture.hpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>

#include "skip.hpp"
#include "supervisor/cgroup_fixture.hpp"
#include "supervisor/cgroup_ops.hpp"
#include "supervisor/job_cgroup.hpp"
#include "supervisor/proc_table.hpp"
#include "supervisor/reaper.hpp"
#include "supervisor/setsid_family.hpp"

using namespace accel::supervisor;
using accel::supervisor::testing::cgroup_of;
using accel::supervisor::testing::eventually;
using accel::supervisor::testing::record_of;
using accel::supervisor::testing::SetsidFamily;
using accel::supervisor::testing::sleep_forever;
using accel::supervisor::testing::still_alive;
using accel::supervisor::testing::TempDir;
using accel::supervisor::testing::unique_cgroup_name;
using accel::supervisor::testing::writable_cgroup_dir;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t seconds_from_now(int seconds) {
  return cgroup::now_ns() + std::int64_t{seconds} * 1'000'000'000;
}

}  // namespace

TEST_CASE("job cgroup: creation says why not where the directory is no cgroup",
          "[supervisor][job_cgroup]") {
  TempDir dir;
  JobCgroup::Creation creation = JobCgroup::create_in(dir.path(), "accel-1");
  CHECK_FALSE(creation.cgroup);
  CHECK_THAT(creation.why_not, Catch::Contains(dir.path().string()) &&
                                   Catch::Contains("cgroup.procs") &&
                                   Catch::Contains("No such file"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "accel-1"));
  creation = JobCgroup::create_in(dir.path() / "missing", "accel-1");
  CHECK_FALSE(creation.cgroup);
  CHECK_THAT(creation.why_not, Catch::Contains("cannot open"));
}

TEST_CASE("job cgroup: an attempt's end kills what it holds, setsid or not, and removes it",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    const JobCgroup::Creation creation = JobCgroup::create_for_this_process();
    REQUIRE_FALSE(creation.cgroup);  // the launcher finds none either, and says why
    REQUIRE_FALSE(creation.why_not.empty());
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("attempt");
  JobCgroup::Creation creation = JobCgroup::create_in(*parent, name);
  REQUIRE(creation.cgroup);
  CHECK(creation.why_not.empty());
  CHECK(creation.cgroup->path() == *parent / name);
  std::unique_ptr<AttemptCgroup> attempt = creation.cgroup->start_attempt(0);
  CHECK(attempt->path() == *parent / name / "attempt-0");

  SetsidFamily inside(attempt->procs_fd());
  CHECK(cgroup_of(inside.child).ends_with("/" + name + "/attempt-0"));
  CHECK(cgroup_of(inside.grandchild.pid).ends_with("/" + name + "/attempt-0"));

  attempt->end(std::chrono::seconds(30));
  CHECK_FALSE(std::filesystem::exists(*parent / name / "attempt-0"));
  const int status = inside.wait();
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(eventually([&] { return !still_alive(inside.grandchild); }));

  creation.cgroup->remove();
  CHECK_FALSE(std::filesystem::exists(*parent / name));
}

TEST_CASE("job cgroup: an attempt's end one look at a time, as the event loop does it",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("steps");
  JobCgroup::Creation creation = JobCgroup::create_in(*parent, name);
  REQUIRE(creation.cgroup);
  std::unique_ptr<AttemptCgroup> attempt = creation.cgroup->start_attempt(0);
  SetsidFamily inside(attempt->procs_fd());
  CHECK_FALSE(attempt->empty());
  attempt->kill();                   // returns at once; the loop looks again later
  const int status = inside.wait();  // reaped: zombies would not count anyway
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(eventually([&] { return attempt->empty(); }));
  attempt->remove();
  CHECK_FALSE(std::filesystem::exists(*parent / name / "attempt-0"));
  CHECK(attempt->empty());  // removed counts as empty
  CHECK_FALSE(still_alive(inside.grandchild));
  creation.cgroup->remove();
}

TEST_CASE("job cgroup: a populated attempt cgroup is not removed", "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("busy");
  JobCgroup::Creation creation = JobCgroup::create_in(*parent, name);
  REQUIRE(creation.cgroup);
  std::unique_ptr<AttemptCgroup> attempt = creation.cgroup->start_attempt(0);
  {
    SetsidFamily inside(attempt->procs_fd());
    attempt->remove();  // still populated: it stays, with a warning
    CHECK(std::filesystem::exists(*parent / name / "attempt-0"));
  }
  creation.cgroup->remove();  // kills what is left and removes everything
  CHECK_FALSE(std::filesystem::exists(*parent / name));
}

TEST_CASE("cgroup ops: without cgroup.kill the tree is frozen and killed pid by pid",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  JobCgroup::Creation creation = JobCgroup::create_in(*parent, unique_cgroup_name("pids"));
  REQUIRE(creation.cgroup);
  std::unique_ptr<AttemptCgroup> attempt = creation.cgroup->start_attempt(3);
  SetsidFamily inside(attempt->procs_fd());

  const int dir = creation.cgroup->dir_fd();
  CHECK_FALSE(cgroup::wait_empty(dir, cgroup::now_ns() + 50'000'000));  // 50 ms: still there
  // The job cgroup, so the processes are one level down.
  CHECK(cgroup::kill_tree(dir, seconds_from_now(30), /*use_kill_file=*/false) == 0);
  CHECK(cgroup::wait_empty(dir, seconds_from_now(30)));
  const int status = inside.wait();
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(eventually([&] { return !still_alive(inside.grandchild); }));
  attempt->end(std::chrono::seconds(30));
  creation.cgroup->remove();
  CHECK_FALSE(std::filesystem::exists(creation.cgroup->path()));
}

TEST_CASE("cgroup ops: remove_tree takes nested cgroups, only from the expected directory",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("nested");
  const std::filesystem::path top = *parent / name;
  std::filesystem::create_directories(top / "attempt-0" / "inner" / "deeper");
  std::filesystem::create_directories(top / "attempt-1");
  accel::base::UniqueFd parent_fd(::open(parent->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  accel::base::UniqueFd top_fd(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  accel::base::UniqueFd other_fd(
      ::open((top / "attempt-1").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(top_fd.valid());

  CHECK(cgroup::remove_tree(parent_fd.get(), name.c_str(), other_fd.get()) == ESTALE);
  CHECK(std::filesystem::exists(top / "attempt-0" / "inner" / "deeper"));
  CHECK(cgroup::remove_tree(parent_fd.get(), name.c_str(), top_fd.get()) == 0);
  CHECK_FALSE(std::filesystem::exists(top));
  CHECK(cgroup::remove_tree(parent_fd.get(), name.c_str()) == ENOENT);
  // A removed cgroup is empty, and killing it finds nothing to kill.
  CHECK(cgroup::wait_empty(top_fd.get(), seconds_from_now(30)));
  CHECK(cgroup::kill_tree(top_fd.get(), seconds_from_now(30)) == ENOENT);
}

TEST_CASE("job cgroup: where no process can be moved in, there is none, and no directory",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  // Below a threaded cgroup, a new cgroup takes no process (cgroup.procs
  // cannot be written), though its permission bits say it can.
  const std::filesystem::path top = *parent / unique_cgroup_name("threaded");
  std::filesystem::create_directories(top / "threads");
  {
    std::ofstream type(top / "threads" / "cgroup.type");
    type << "threaded";
  }
  JobCgroup::Creation creation = JobCgroup::create_in(top / "threads", "accel-1");
  CHECK_FALSE(creation.cgroup);
  CHECK_THAT(creation.why_not, Catch::Contains("cannot move a process into"));
  CHECK_FALSE(std::filesystem::exists(top / "threads" / "accel-1"));
  ::rmdir((top / "threads").c_str());
  ::rmdir(top.c_str());
}

TEST_CASE("job cgroup: an empty leftover of the same name is replaced",
          "[supervisor][job_cgroup]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("stale");
  std::filesystem::create_directories(*parent / name / "attempt-0");
  JobCgroup::Creation creation = JobCgroup::create_in(*parent, name);
  REQUIRE(creation.cgroup);
  CHECK_FALSE(std::filesystem::exists(*parent / name / "attempt-0"));
  std::filesystem::create_directories(*parent / name / "attempt-2");
  CHECK(creation.cgroup->start_attempt(2)->path() == *parent / name / "attempt-2");
  creation.cgroup->remove();
  CHECK_FALSE(std::filesystem::exists(*parent / name));
}

TEST_CASE("reaper: after kill -9 of the launcher, the job cgroup is killed and removed",
          "[supervisor][job_cgroup][reaper]") {
  auto parent = writable_cgroup_dir();
  if (!parent) {
    REQUIRE_FALSE(JobCgroup::create_for_this_process().cgroup);  // the launcher agrees
    accel::testing::skip_test_case("no writable cgroup v2 here");
  }
  const std::string name = unique_cgroup_name("reaper");
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t launcher = ::fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    // What run_job sets up: the job cgroup, then the reaper, then an attempt.
    ::close(fds[0]);
    JobCgroup::Creation creation = JobCgroup::create_in(*parent, name);
    if (!creation.cgroup) ::_exit(1);
    OrphanReaper reaper(creation.cgroup.get());
    std::unique_ptr<AttemptCgroup> attempt = creation.cgroup->start_attempt(0);
    pid_t worker = ::fork();
    if (worker == 0) {
      (void)cgroup::join(attempt->procs_fd());
      pid_t escaped = ::fork();
      if (escaped == 0) {
        ::setsid();
        sleep_forever();
      }
      pid_t pids[] = {::getpid(), escaped};
      (void)!::write(fds[1], pids, sizeof pids);
      sleep_forever();
    }
    ::pause();
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t pids[2] = {-1, -1};
  REQUIRE(::read(fds[0], pids, sizeof pids) == sizeof pids);
  ::close(fds[0]);
  REQUIRE(eventually([&] {
    auto worker = record_of(pids[0]);
    auto escaped = record_of(pids[1]);
    return worker && escaped && worker->name == "sleep" && escaped->name == "sleep";
  }));
  const ProcessRecord worker = *record_of(pids[0]);
  const ProcessRecord escaped = *record_of(pids[1]);
  CHECK(std::filesystem::exists(*parent / name / "attempt-0"));

  ::kill(launcher, SIGKILL);
  ::waitpid(launcher, nullptr, 0);
  CHECK(eventually([&] { return !still_alive(worker) && !still_alive(escaped); }));
  CHECK(eventually([&] { return !std::filesystem::exists(*parent / name); }));
}
