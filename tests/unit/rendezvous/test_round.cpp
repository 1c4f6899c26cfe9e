// The membership and round rules, with injected time and no sockets.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rendezvous/round.hpp"

using namespace accel::rendezvous;
using namespace std::chrono_literals;

namespace {

const Clock::time_point kStart{};

JoinRequest request_for(int index, int count = 3) {
  JoinRequest request;
  request.member_index = index;
  request.member_count = count;
  request.num_processes = 2 * count;
  request.local_workers = 2;
  request.node_rank = index;
  request.max_restarts = 1;
  request.script = "train.py";
  request.hostname = "node-" + std::to_string(index);
  return request;
}

RoundOptions options_for(int count = 3) {
  RoundOptions options;
  options.member_count = count;
  options.master_addr = "10.0.0.1";
  options.join_timeout = 60s;
  options.heartbeat_timeout = 10s;
  options.reach_timeout = 20s;
  options.status_interval = 1s;
  return options;
}

template <typename T>
std::vector<T> broadcast_of(const RoundActions& actions) {
  std::vector<T> found;
  for (const Message& message : actions.to_all) {
    if (const auto* typed = std::get_if<T>(&message)) found.push_back(*typed);
  }
  return found;
}

std::vector<Assignment> gos(const RoundActions& actions) {
  std::vector<Assignment> found;
  for (const auto& [member, message] : actions.to_member) {
    if (const auto* go = std::get_if<Go>(&message)) found.push_back(go->assignment);
  }
  return found;
}

// Joins everyone, opens the probe port, and has everyone reach it.
void start_running(Round& round, int count, RoundActions& out) {
  for (int i = 0; i < count; ++i) REQUIRE_FALSE(round.join(request_for(i, count), kStart, out));
  REQUIRE(out.open_probe_port);
  round.probe_port_opened(29501, out);
  for (int i = 0; i < count; ++i)
    round.reach_report(i, ReachReport{round.round(), true, "", "", ""}, out);
  REQUIRE(round.phase() == Phase::kRunning);
}

FailureRecord failure_of(int rank, int exit_code) {
  FailureRecord record;
  record.rank = rank;
  record.local_rank = rank % 2;
  record.host = "node-" + std::to_string(rank / 2);
  record.exit_code = exit_code;
  return record;
}

}  // namespace

TEST_CASE("round: everyone joins, reaches MASTER_PORT, and gets ranks", "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(2), kStart, out));
  REQUIRE_FALSE(round.join(request_for(0), kStart, out));
  CHECK_FALSE(out.open_probe_port);
  REQUIRE_FALSE(round.join(request_for(1), kStart, out));
  CHECK(out.open_probe_port);
  CHECK(round.phase() == Phase::kReaching);

  round.probe_port_opened(29501, out);
  const auto checks = broadcast_of<ReachCheck>(out);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].master_addr == "10.0.0.1");
  CHECK(checks[0].master_port == 29501);

  round.reach_report(0, ReachReport{0, true, "", "", ""}, out);
  round.reach_report(2, ReachReport{0, true, "", "", ""}, out);
  CHECK(gos(out).empty());
  CHECK_FALSE(out.close_probe_port);
  round.reach_report(1, ReachReport{0, true, "", "", ""}, out);
  CHECK(out.close_probe_port);
  const std::vector<Assignment> assignments = gos(out);
  REQUIRE(assignments.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(assignments[i].member_index == i);
    CHECK(assignments[i].first_rank == 2 * i);
    CHECK(assignments[i].world_size == 6);
    CHECK(assignments[i].master_port == 29501);
    CHECK(assignments[i].round == 0);
  }
}

TEST_CASE("round: without a reachability check go follows the joins, with the port given",
          "[rendezvous][round]") {
  // A single machine: nothing binds MASTER_PORT before the workers do, and
  // a restart keeps the same port.
  RoundOptions options = options_for(1);
  options.check_reachability = false;
  options.master_port = 29500;
  Round round(options, kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 1), kStart, out));
  CHECK_FALSE(out.open_probe_port);
  CHECK(broadcast_of<ReachCheck>(out).empty());
  CHECK(round.phase() == Phase::kRunning);
  const std::vector<Assignment> assignments = gos(out);
  REQUIRE(assignments.size() == 1);
  CHECK(assignments[0].master_port == 29500);
  CHECK(assignments[0].round == 0);
}

TEST_CASE(
    "round: with machine 0's terms given, a wrong machine that joins first is the one refused",
    "[rendezvous][round]") {
  RoundOptions options = options_for(2);
  options.terms = JobTerms{4, "train.py", 1};
  Round round(options, kStart);
  RoundActions out;
  JoinRequest wrong = request_for(1, 2);
  wrong.num_processes = 6;
  wrong.local_workers = 3;
  CHECK(round.join(wrong, kStart, out) == "machine 1 says num_processes=6 but machine 0 says 4");
  JoinRequest machine0 = request_for(0, 2);
  machine0.num_processes = 4;
  CHECK_FALSE(round.join(machine0, kStart, out));
}

TEST_CASE("round: disagreements are refused with what differs and from whom",
          "[rendezvous][round]") {
  Round round(options_for(4), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 4), kStart, out));

  JoinRequest other = request_for(2, 4);
  other.num_processes = 4;
  other.local_workers = 1;
  CHECK(round.join(other, kStart, out) == "machine 2 says num_processes=4 but machine 0 says 8");

  other = request_for(2, 4);
  other.script = "other.py";
  CHECK(round.join(other, kStart, out) ==
        "machine 2 says script='other.py' but machine 0 says 'train.py'");

  other = request_for(2, 4);
  other.max_restarts = 3;
  CHECK(round.join(other, kStart, out) == "machine 2 says max_restarts=3 but machine 0 says 1");

  other = request_for(2, 3);
  CHECK(round.join(other, kStart, out) ==
        "machine 2 says num_machines=3 but the rendezvous server (machine 0) says 4");

  other = request_for(4, 4);
  CHECK(round.join(other, kStart, out) ==
        "machine_rank 4 is out of range: num_machines is 4, so machine_rank must be 0..3");

  other = request_for(0, 4);
  other.hostname = "intruder";
  CHECK(round.join(other, kStart, out) ==
        "machine_rank 0 has already joined from node-0, and intruder says machine_rank 0 too: "
        "give every machine its own --machine_rank");

  other = request_for(1, 4);
  other.num_processes = 6;
  CHECK(round.join(other, kStart, out) ==
        "machine 1 says num_processes=6, which is not divisible by num_machines=4");

  other = request_for(1, 4);
  other.local_workers = 3;
  CHECK(round.join(other, kStart, out) ==
        "machine 1 would start 3 workers, but num_processes=8 over num_machines=4 means 2 per "
        "machine");
  CHECK(round.joined_count() == 1);
}

TEST_CASE("round: one worker per member (SLURM task mode) gives consecutive ranks",
          "[rendezvous][round]") {
  Round round(options_for(4), kStart);
  RoundActions out;
  for (int i = 3; i >= 0; --i) {
    JoinRequest task = request_for(i, 4);
    task.num_processes = 4;
    task.local_workers = 1;
    task.node_rank = i / 2;
    REQUIRE_FALSE(round.join(task, kStart, out));
  }
  round.probe_port_opened(1234, out);
  for (int i = 0; i < 4; ++i) round.reach_report(i, ReachReport{0, true, "", "", ""}, out);
  const auto assignments = gos(out);
  REQUIRE(assignments.size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK(assignments[i].first_rank == i);
    CHECK(assignments[i].world_size == 4);
  }
}

TEST_CASE("round: status pushes name the missing members, at most once per interval",
          "[rendezvous][round]") {
  Round round(options_for(4), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 4), kStart, out));
  REQUIRE_FALSE(round.join(request_for(1, 4), kStart, out));
  round.heard_from(0, kStart + 11s);
  round.heard_from(1, kStart + 11s);
  round.tick(kStart + 12s, out);
  round.tick(kStart + 12s + 500ms, out);
  const auto statuses = broadcast_of<Status>(out);
  REQUIRE(statuses.size() == 1);
  CHECK(statuses[0].missing == std::vector<int32_t>{2, 3});
  CHECK(statuses[0].joined == 2);
  CHECK(statuses[0].elapsed_ms == 12000);
}

TEST_CASE("round: the join timeout ends the job and names who is missing", "[rendezvous][round]") {
  Round round(options_for(4), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 4), kStart, out));
  REQUIRE_FALSE(round.join(request_for(1, 4), kStart, out));
  round.heard_from(0, kStart + 59s);
  round.heard_from(1, kStart + 59s);
  round.tick(kStart + 60s, out);
  CHECK(round.phase() == Phase::kEnded);
  REQUIRE(round.job_end());
  CHECK(round.job_end()->exit_code == 1);
  CHECK(round.job_end()->reason ==
        "timed out after 60 s waiting for machines 2, 3 of 4 to join the rendezvous");
}

TEST_CASE("round: a member silent while waiting is dropped, not fatal", "[rendezvous][round]") {
  Round round(options_for(2), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  round.tick(kStart + 11s, out);
  REQUIRE(out.drop.size() == 1);
  CHECK(out.drop[0].first == 1);
  CHECK(round.joined_count() == 0);
  CHECK(round.phase() == Phase::kJoining);
}

TEST_CASE("round: a member that leaves before everyone joined may come back",
          "[rendezvous][round]") {
  Round round(options_for(2), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  round.disconnected(1, kStart, out);
  CHECK(round.joined_count() == 0);
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  REQUIRE_FALSE(round.join(request_for(0, 2), kStart, out));
  CHECK(round.phase() == Phase::kReaching);
}

TEST_CASE("round: an unreachable MASTER_PORT fails the job with where it was tried from",
          "[rendezvous][round]") {
  Round round(options_for(2), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 2), kStart, out));
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  round.probe_port_opened(29501, out);
  round.reach_report(1, ReachReport{0, false, "Connection refused", "10.0.0.2", "eth1"}, out);
  CHECK(out.close_probe_port);
  CHECK(round.phase() == Phase::kEnded);
  const auto ends = broadcast_of<JobEnd>(out);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].exit_code == 1);
  CHECK(ends[0].reason ==
        "machine 1 (node-1) cannot reach MASTER_ADDR:MASTER_PORT 10.0.0.1:29501 from 10.0.0.2 "
        "(interface eth1): Connection refused");
}

TEST_CASE("round: a loopback MASTER_ADDR across hosts is named as the likely cause",
          "[rendezvous][round]") {
  RoundOptions options = options_for(2);
  options.master_addr = "127.0.0.1";
  Round round(options, kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 2), kStart, out));
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  round.probe_port_opened(29501, out);
  round.reach_report(1, ReachReport{0, false, "Connection refused", "127.0.0.1", "lo"}, out);
  REQUIRE(round.job_end());
  CHECK_THAT(round.job_end()->reason,
             Catch::EndsWith(". main_process_ip 127.0.0.1 is a loopback address, but the machines "
                             "are different hosts (node-0, node-1): set --main_process_ip to an "
                             "address of machine 0 that the others can reach"));
}

TEST_CASE("round: a loopback MASTER_ADDR out of reach is named even when the hosts share a name",
          "[rendezvous][round]") {
  // Containers and network namespaces on one host all say the same name.
  RoundOptions options = options_for(2);
  options.master_addr = "127.0.0.1";
  Round round(options, kStart);
  RoundActions out;
  JoinRequest first = request_for(0, 2);
  JoinRequest second = request_for(1, 2);
  first.hostname = second.hostname = "box";
  REQUIRE_FALSE(round.join(first, kStart, out));
  REQUIRE_FALSE(round.join(second, kStart, out));
  round.probe_port_opened(29501, out);
  round.reach_report(1, ReachReport{0, false, "Connection refused", "127.0.0.1", "lo"}, out);
  REQUIRE(round.job_end());
  CHECK_THAT(round.job_end()->reason,
             Catch::EndsWith(". main_process_ip 127.0.0.1 is a loopback address, but machine 1 "
                             "(box) cannot reach it there: it runs on another host (or in another "
                             "container or network namespace); set --main_process_ip to an "
                             "address of machine 0 that the others can reach"));
}

TEST_CASE("round: a silent member is lost and everyone is stopped", "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  start_running(round, 3, out);
  out = {};
  round.heard_from(0, kStart + 9s);
  round.heard_from(1, kStart + 9s);
  round.tick(kStart + 10s + 1ms, out);
  const auto stops = broadcast_of<Stop>(out);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].reason == "machine 2 (node-2) went silent: nothing heard from it for 10 s");
  CHECK(round.phase() == Phase::kStopping);
  round.attempt_ended(0, AttemptEnded{0, AttemptOutcome::kStopped, 0}, out);
  round.attempt_ended(1, AttemptEnded{0, AttemptOutcome::kStopped, 0}, out);
  REQUIRE(round.job_end());  // no restart without the lost machine
  CHECK(round.job_end()->exit_code == 1);
  CHECK(round.job_end()->reason == stops[0].reason);
}

TEST_CASE("round: first failure wins, all end, then a new round for everyone",
          "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  start_running(round, 3, out);
  out = {};
  round.failure_report(1, FailureReport{0, failure_of(3, 2)}, out);
  round.failure_report(2, FailureReport{0, failure_of(5, 7)}, out);
  const auto stops = broadcast_of<Stop>(out);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].reason == "rank 3 (local rank 1) on node-1 exited with code 2");
  REQUIRE(stops[0].root_cause);
  CHECK(stops[0].root_cause->rank == 3);

  round.attempt_ended(1, AttemptEnded{0, AttemptOutcome::kFailed, 0}, out);
  round.attempt_ended(2, AttemptEnded{0, AttemptOutcome::kFailed, 0}, out);
  out = {};
  round.attempt_ended(0, AttemptEnded{0, AttemptOutcome::kStopped, 0}, out);
  CHECK(round.round() == 1);
  CHECK(round.phase() == Phase::kReaching);
  CHECK(out.open_probe_port);
  round.probe_port_opened(29777, out);
  for (int i = 0; i < 3; ++i) round.reach_report(i, ReachReport{1, true, "", "", ""}, out);
  const auto assignments = gos(out);
  REQUIRE(assignments.size() == 3);
  CHECK(assignments[0].round == 1);
  CHECK(assignments[0].master_port == 29777);

  // Second failure: max_restarts=1 is used up, so the job ends with the root cause.
  out = {};
  FailureRecord killed = failure_of(4, 0);
  killed.signal = 9;
  round.failure_report(2, FailureReport{1, killed}, out);
  for (int i = 0; i < 3; ++i)
    round.attempt_ended(i, AttemptEnded{1, AttemptOutcome::kFailed, 0}, out);
  REQUIRE(round.job_end());
  CHECK(round.job_end()->exit_code == 137);
  CHECK(round.job_end()->reason ==
        "rank 4 (local rank 0) on node-2 was killed by signal 9 (SIGKILL)");
  REQUIRE(round.job_end()->root_cause);
  CHECK(round.job_end()->root_cause->signal == 9);
}

TEST_CASE("round: reports of an old round are ignored", "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  start_running(round, 3, out);
  out = {};
  round.failure_report(0, FailureReport{7, failure_of(0, 1)}, out);
  CHECK(out.to_all.empty());
  CHECK(round.phase() == Phase::kRunning);
}

TEST_CASE("round: an interrupted member stops the others and there is no restart",
          "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  start_running(round, 3, out);
  out = {};
  round.attempt_ended(1, AttemptEnded{0, AttemptOutcome::kInterrupted, 2}, out);
  const auto stops = broadcast_of<Stop>(out);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].reason == "machine 1 (node-1) was interrupted by signal 2 (SIGINT)");
  round.attempt_ended(0, AttemptEnded{0, AttemptOutcome::kStopped, 0}, out);
  round.attempt_ended(2, AttemptEnded{0, AttemptOutcome::kStopped, 0}, out);
  REQUIRE(round.job_end());
  CHECK(round.job_end()->exit_code == 130);
  CHECK(round.round() == 0);
}

TEST_CASE("round: everyone succeeds, the job ends with 0", "[rendezvous][round]") {
  Round round(options_for(), kStart);
  RoundActions out;
  start_running(round, 3, out);
  for (int i = 0; i < 3; ++i)
    round.attempt_ended(i, AttemptEnded{0, AttemptOutcome::kSucceeded, 0}, out);
  REQUIRE(round.job_end());
  CHECK(round.job_end()->exit_code == 0);
  CHECK_FALSE(round.job_end()->root_cause);
}

TEST_CASE("round: no member may join once the job started", "[rendezvous][round]") {
  Round round(options_for(2), kStart);
  RoundActions out;
  start_running(round, 2, out);
  round.disconnected(1, kStart, out);
  CHECK_THAT(*round.join(request_for(1, 2), kStart, out),
             Catch::Contains("the job has already started"));
}

TEST_CASE("round: members that never report on reachability end the job", "[rendezvous][round]") {
  Round round(options_for(2), kStart);
  RoundActions out;
  REQUIRE_FALSE(round.join(request_for(0, 2), kStart, out));
  REQUIRE_FALSE(round.join(request_for(1, 2), kStart, out));
  round.probe_port_opened(29501, out);
  round.reach_report(0, ReachReport{0, true, "", "", ""}, out);
  round.heard_from(1, kStart + 19s);
  round.heard_from(0, kStart + 19s);
  round.tick(kStart + 20s, out);
  REQUIRE(round.job_end());
  CHECK(round.job_end()->reason ==
        "machine 1 did not report within 20 s whether it reaches MASTER_ADDR 10.0.0.1:29501");
}
