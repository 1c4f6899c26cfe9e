// The failure and signal rules as a state machine, without processes.
#include <catch2/catch.hpp>
#include <csignal>

#include "supervisor/policy.hpp"

using namespace accel::supervisor;

namespace {
const ExitStatus kOk{0, 0};
WorkerExit exited(int local_rank, int code) {
  return WorkerExit{local_rank, ExitStatus{code, 0}};
}
WorkerExit killed(int local_rank, int signal) {
  return WorkerExit{local_rank, ExitStatus{0, signal}};
}
}  // namespace

TEST_CASE("policy: all workers succeed", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  WorkerExit first[] = {exited(0, 0)};
  CHECK(policy.on_exits(first).signal == 0);
  CHECK_FALSE(policy.finished());
  WorkerExit second[] = {exited(1, 0)};
  policy.on_exits(second);
  CHECK(policy.finished());
  CHECK(policy.outcome() == AttemptOutcome::Succeeded);
  CHECK(policy.exit_code() == 0);
  CHECK_FALSE(should_restart(policy, 0, 3));
}

TEST_CASE("policy: the first failure stops the others with SIGTERM and a grace period",
          "[supervisor][policy]") {
  AttemptPolicy policy(3);
  WorkerExit failure[] = {exited(1, 7)};
  Decision decision = policy.on_exits(failure);
  CHECK(decision.signal == SIGTERM);
  CHECK(decision.arm_grace_timer);
  CHECK(policy.running(0));
  CHECK_FALSE(policy.running(1));

  // The stopped workers die of our SIGTERM or exit non-zero: not failures.
  WorkerExit stopped[] = {killed(0, SIGTERM), exited(2, 1)};
  CHECK(policy.on_exits(stopped).signal == 0);
  CHECK(policy.finished());
  REQUIRE(policy.failures().size() == 1);
  CHECK(policy.failures()[0].local_rank == 1);
  CHECK(policy.outcome() == AttemptOutcome::Failed);
  CHECK(policy.exit_code() == 7);
}

TEST_CASE("policy: failures seen in the same pass all count, the first is the root cause",
          "[supervisor][policy]") {
  AttemptPolicy policy(3);
  WorkerExit batch[] = {killed(2, SIGSEGV), exited(0, 1)};
  CHECK(policy.on_exits(batch).signal == SIGTERM);
  REQUIRE(policy.failures().size() == 2);
  CHECK(policy.failures()[0].local_rank == 2);
  CHECK(policy.exit_code() == 128 + SIGSEGV);
}

TEST_CASE("policy: the grace period ends with SIGKILL", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  WorkerExit failure[] = {exited(0, 1)};
  policy.on_exits(failure);
  CHECK(policy.on_grace_expired().signal == SIGKILL);
  WorkerExit gone[] = {killed(1, SIGKILL)};
  policy.on_exits(gone);
  CHECK(policy.on_grace_expired().signal == 0);  // nobody left
  CHECK(policy.failures().size() == 1);
}

TEST_CASE("policy: no grace timer while everyone runs", "[supervisor][policy]") {
  AttemptPolicy policy(1);
  CHECK(policy.on_grace_expired().signal == 0);
}

TEST_CASE("policy: SIGINT stops the attempt, a second one kills", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  Decision first = policy.on_launcher_signal(SIGINT);
  CHECK(first.signal == SIGINT);
  CHECK(first.arm_grace_timer);
  Decision second = policy.on_launcher_signal(SIGTERM);
  CHECK(second.signal == SIGKILL);
  CHECK_FALSE(second.arm_grace_timer);
  WorkerExit exits[] = {killed(0, SIGINT), exited(1, 130)};
  policy.on_exits(exits);
  CHECK(policy.failures().empty());
  CHECK(policy.outcome() == AttemptOutcome::Interrupted);
  CHECK(policy.interrupted_by() == SIGINT);
  CHECK(policy.exit_code() == 130);
  CHECK_FALSE(should_restart(policy, 0, 5));
}

TEST_CASE("policy: SIGHUP and SIGTERM stop like SIGINT", "[supervisor][policy]") {
  for (int signal : {SIGHUP, SIGTERM}) {
    AttemptPolicy policy(1);
    CHECK(policy.on_launcher_signal(signal).signal == signal);
    WorkerExit exits[] = {exited(0, 0)};
    policy.on_exits(exits);
    CHECK(policy.exit_code() == 128 + signal);
  }
}

TEST_CASE("policy: SIGUSR1 and SIGUSR2 are forwarded, the job goes on", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  Decision usr1 = policy.on_launcher_signal(SIGUSR1);
  CHECK(usr1.signal == SIGUSR1);
  CHECK_FALSE(usr1.arm_grace_timer);
  CHECK(policy.on_launcher_signal(SIGUSR2).signal == SIGUSR2);
  CHECK(policy.interrupted_by() == 0);
  // A worker that dies of the forwarded signal did not handle it: a failure.
  WorkerExit died[] = {killed(0, SIGUSR1)};
  CHECK(policy.on_exits(died).signal == SIGTERM);
  CHECK(policy.failures().size() == 1);
}

TEST_CASE("policy: an interrupt while stopping after a failure kills now, the failure stays",
          "[supervisor][policy]") {
  AttemptPolicy policy(2);
  WorkerExit failure[] = {exited(0, 3)};
  policy.on_exits(failure);
  CHECK(policy.on_launcher_signal(SIGINT).signal == SIGKILL);
  WorkerExit gone[] = {killed(1, SIGKILL)};
  policy.on_exits(gone);
  CHECK(policy.exit_code() == 3);
  CHECK(policy.interrupted_by() == SIGINT);
  CHECK_FALSE(should_restart(policy, 0, 5));  // the user asked to stop
}

TEST_CASE("policy: restarts only after a failure and while restarts are left",
          "[supervisor][policy]") {
  AttemptPolicy policy(1);
  WorkerExit failure[] = {exited(0, 1)};
  policy.on_exits(failure);
  CHECK(should_restart(policy, 0, 2));
  CHECK(should_restart(policy, 1, 2));
  CHECK_FALSE(should_restart(policy, 2, 2));
  CHECK_FALSE(should_restart(policy, 0, 0));
}

TEST_CASE("policy: an exit reported twice counts once", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  WorkerExit twice[] = {exited(0, 0), exited(0, 1)};
  policy.on_exits(twice);
  CHECK(policy.failures().empty());
  CHECK_FALSE(policy.finished());
  (void)kOk;
}
