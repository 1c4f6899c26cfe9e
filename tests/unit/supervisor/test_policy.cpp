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

TEST_CASE("policy: a stop from another machine stops everyone with SIGTERM and a grace period",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(3);
  Decision decision = policy.on_stop_requested();
  CHECK(decision.signal == SIGTERM);
  CHECK(decision.arm_grace_timer);
  CHECK(policy.stop_requested());
  CHECK(policy.outcome() == AttemptOutcome::Running);
  // Whatever the stopped workers exit with, it is not a failure.
  WorkerExit exits[] = {killed(0, SIGTERM), exited(1, 1), exited(2, 0)};
  CHECK(policy.on_exits(exits).signal == 0);
  CHECK(policy.finished());
  CHECK(policy.failures().empty());
  CHECK(policy.outcome() == AttemptOutcome::Stopped);
  CHECK(policy.exit_code() == kStoppedExitCode);
  CHECK(policy.interrupted_by() == 0);
  CHECK_FALSE(should_restart(policy, 0, 5));  // the machines restart together, elsewhere
}

TEST_CASE("policy: a stop ends with SIGKILL when the grace period runs out",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(2);
  policy.on_stop_requested();
  CHECK(policy.on_grace_expired().signal == SIGKILL);
  WorkerExit gone[] = {killed(0, SIGKILL), killed(1, SIGKILL)};
  policy.on_exits(gone);
  CHECK(policy.failures().empty());
  CHECK(policy.outcome() == AttemptOutcome::Stopped);
}

TEST_CASE("policy: a worker that failed before the stop is still the failure",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(2);
  WorkerExit failure[] = {exited(1, 9)};
  CHECK(policy.on_exits(failure).signal == SIGTERM);
  // The other machines hear of it and ask everyone to stop, this one too:
  // it is stopping already, so nothing changes (no second SIGTERM, no new
  // grace period).
  Decision decision = policy.on_stop_requested();
  CHECK(decision.signal == 0);
  CHECK_FALSE(decision.arm_grace_timer);
  WorkerExit stopped[] = {killed(0, SIGTERM)};
  policy.on_exits(stopped);
  REQUIRE(policy.failures().size() == 1);
  CHECK(policy.failures()[0].local_rank == 1);
  CHECK(policy.outcome() == AttemptOutcome::Failed);
  CHECK(policy.exit_code() == 9);
  CHECK(should_restart(policy, 0, 1));
}

TEST_CASE("policy: failures in the same pass as the stop's first exits are not failures",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(2);
  policy.on_stop_requested();
  WorkerExit exits[] = {exited(0, 1), killed(1, SIGSEGV)};
  policy.on_exits(exits);
  CHECK(policy.failures().empty());
  CHECK(policy.outcome() == AttemptOutcome::Stopped);
}

TEST_CASE("policy: a second stop is a no-op", "[supervisor][policy][stop]") {
  AttemptPolicy policy(2);
  policy.on_stop_requested();
  Decision second = policy.on_stop_requested();
  CHECK(second.signal == 0);
  CHECK_FALSE(second.arm_grace_timer);
  CHECK(policy.running(0));
}

TEST_CASE("policy: a launcher signal during a stop kills now and the outcome is the interrupt",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(2);
  policy.on_stop_requested();
  Decision decision = policy.on_launcher_signal(SIGINT);
  CHECK(decision.signal == SIGKILL);
  CHECK_FALSE(decision.arm_grace_timer);
  WorkerExit gone[] = {killed(0, SIGKILL), killed(1, SIGKILL)};
  policy.on_exits(gone);
  CHECK(policy.outcome() == AttemptOutcome::Interrupted);
  CHECK(policy.exit_code() == 130);
  CHECK(policy.stop_requested());
}

TEST_CASE("policy: a stop during an interrupt changes nothing", "[supervisor][policy][stop]") {
  AttemptPolicy policy(1);
  policy.on_launcher_signal(SIGTERM);
  CHECK(policy.on_stop_requested().signal == 0);
  CHECK_FALSE(policy.stop_requested());
  WorkerExit gone[] = {exited(0, 0)};
  policy.on_exits(gone);
  CHECK(policy.outcome() == AttemptOutcome::Interrupted);
  CHECK(policy.exit_code() == 128 + SIGTERM);
}

TEST_CASE("policy: a stop after every worker exited is too late: the attempt succeeded",
          "[supervisor][policy][stop]") {
  AttemptPolicy policy(1);
  WorkerExit done[] = {exited(0, 0)};
  policy.on_exits(done);
  CHECK(policy.on_stop_requested().signal == 0);
  CHECK(policy.outcome() == AttemptOutcome::Succeeded);
  CHECK(policy.exit_code() == 0);
}

TEST_CASE("policy: SIGUSR1 during a stop is still forwarded", "[supervisor][policy][stop]") {
  AttemptPolicy policy(1);
  policy.on_stop_requested();
  CHECK(policy.on_launcher_signal(SIGUSR1).signal == SIGUSR1);
  CHECK(policy.interrupted_by() == 0);
}

TEST_CASE("policy: the outcome is Running until every worker has exited", "[supervisor][policy]") {
  AttemptPolicy policy(2);
  WorkerExit failure[] = {exited(0, 1)};
  policy.on_exits(failure);
  CHECK(policy.outcome() == AttemptOutcome::Running);
  WorkerExit stopped[] = {killed(1, SIGTERM)};
  policy.on_exits(stopped);
  CHECK(policy.outcome() == AttemptOutcome::Failed);
}

TEST_CASE("policy: the restart rule on an outcome alone", "[supervisor][policy]") {
  CHECK(should_restart(AttemptOutcome::Failed, 0, 0, 1));
  CHECK_FALSE(should_restart(AttemptOutcome::Failed, SIGINT, 0, 1));
  CHECK_FALSE(should_restart(AttemptOutcome::Failed, 0, 1, 1));
  for (AttemptOutcome outcome : {AttemptOutcome::Succeeded, AttemptOutcome::Interrupted,
                                 AttemptOutcome::Stopped, AttemptOutcome::Running}) {
    CHECK_FALSE(should_restart(outcome, 0, 0, 5));
  }
}
