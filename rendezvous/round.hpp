// The job's membership and rounds as one pure state machine (the server's
// brain, docs/protocol.md "Rounds"): joins and the agreement checks, the
// wait for every member, the reachability check of MASTER_ADDR:MASTER_PORT,
// rank assignment, heartbeat bookkeeping, first-failure-wins stop, the end
// of each attempt, and the restart-or-end decision. Time is injected (every
// call takes `now`), members are named by index, and every effect is a
// message in RoundActions for the server to deliver, so each rule is
// unit-tested without sockets or clocks (tests/unit/rendezvous/test_round.cpp).
//
// Phases: joining -> reaching (probe port open, members connect to it) ->
// running (go sent) -> stopping (a stop was broadcast; waiting for every
// member's attempt-ended) -> reaching again (restart) or ended (job-end sent).
// A reachability failure, a lost member, a join timeout or an interrupt end
// the job without a restart.
// Not thread-safe: the server's event loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rendezvous/messages.hpp"

namespace accel::rendezvous {

using Clock = std::chrono::steady_clock;

// What every member must agree on besides num_machines.
struct JobTerms {
  int num_processes = 1;
  std::string script;
  int max_restarts = 0;
  bool operator==(const JobTerms&) const = default;
};

struct RoundOptions {
  int member_count = 1;
  // Machine 0's own terms, which every member is checked against. Without
  // them (benchmarks) the first member to join sets the terms -- but then a
  // wrong machine that joins before machine 0's own member would refuse
  // machine 0 instead of itself, so the launcher always gives them.
  std::optional<JobTerms> terms;
  std::string master_addr;  // main_process_ip, what workers get as MASTER_ADDR
  std::chrono::milliseconds join_timeout{600'000};
  std::chrono::milliseconds heartbeat_timeout{10'000};
  // How long members have to report whether they reached the probe port.
  std::chrono::milliseconds reach_timeout{20'000};
  // Status pushes to waiting members, at most one per this interval.
  std::chrono::milliseconds status_interval{1'000};
  // false: no reachability check (a single machine, where MASTER_ADDR is
  // this host): go is sent as soon as everyone joined, with `master_port`
  // as MASTER_PORT, and nothing binds it meanwhile -- another launch on this
  // host may be checking the same default port at that moment.
  bool check_reachability = true;
  uint16_t master_port = 0;  // MASTER_PORT when check_reachability is false
};

// What the server must deliver after a call.
struct RoundActions {
  std::vector<std::pair<int, Message>> to_member;  // (member index, message)
  std::vector<Message> to_all;                     // every member joined now
  std::vector<std::pair<int, std::string>> drop;   // close this member's connection, why
  bool open_probe_port = false;   // then call probe_port_opened / probe_port_failed
  bool close_probe_port = false;  // all reached it, or the round is over
};

enum class Phase { kJoining, kReaching, kRunning, kStopping, kEnded };

class Round {
 public:
  Round(RoundOptions options, Clock::time_point start);

  // A member asks to join; returns why it is refused (its connection is then
  // closed by the server), or nullopt when it joined.
  std::optional<std::string> join(const JoinRequest& request, Clock::time_point now,
                                  RoundActions& out);
  // Any frame from a joined member.
  void heard_from(int member, Clock::time_point now);
  // The member's connection closed.
  void disconnected(int member, Clock::time_point now, RoundActions& out);
  void probe_port_opened(uint16_t port, RoundActions& out);
  void probe_port_failed(const std::string& error, RoundActions& out);
  void reach_report(int member, const ReachReport& report, RoundActions& out);
  void failure_report(int member, const FailureReport& report, RoundActions& out);
  void attempt_ended(int member, const AttemptEnded& report, RoundActions& out);
  // Join timeout, silent members, the reach deadline, status pushes.
  void tick(Clock::time_point now, RoundActions& out);

  Phase phase() const { return phase_; }
  int round() const { return round_; }
  int joined_count() const { return joined_count_; }
  bool joined(int member) const;
  // The job-end once the phase is kEnded.
  const std::optional<JobEnd>& job_end() const { return job_end_; }

 private:
  struct Member {
    bool joined = false;
    JoinRequest request;
    Clock::time_point last_heard;
    bool reached = false;
    bool ended = false;
  };

  std::optional<std::string> check_agreement(const JoinRequest& request) const;
  std::string member_name(int member) const;
  std::vector<int> missing_members(std::size_t limit) const;
  void start_reaching(Clock::time_point now, RoundActions& out);
  void send_go(RoundActions& out);
  void forget(int member);
  void lose(int member, const std::string& reason, RoundActions& out);
  void stop_all(const std::string& reason, const std::optional<FailureRecord>& root_cause,
                RoundActions& out);
  void note_ended(int member, RoundActions& out);
  void finish_attempt(RoundActions& out);
  void end_job(int exit_code, const std::string& reason, RoundActions& out);
  std::string loopback_hint(int unreachable_from) const;

  RoundOptions options_;
  Clock::time_point start_;
  Phase phase_ = Phase::kJoining;
  int round_ = 0;
  std::vector<Member> members_;
  int joined_count_ = 0;
  int reference_ = -1;  // the member whose job fields others must agree with
  Clock::time_point next_status_;
  Clock::time_point reach_deadline_;
  uint16_t master_port_ = 0;
  int reached_count_ = 0;
  int ended_count_ = 0;
  // This attempt's story: the first failure wins.
  std::optional<FailureRecord> root_cause_;
  std::string stop_reason_;
  bool failed_ = false;
  int interrupt_signal_ = 0;
  bool lost_ = false;
  std::optional<JobEnd> job_end_;
};

// The exit code a failure record stands for: its exit code, or 128 + signal.
int exit_code_of(const FailureRecord& record);
// "rank 3 (local rank 1) on host-b exited with code 2" / "... was killed by signal 9 (SIGKILL)".
std::string describe_failure(const FailureRecord& record);

}  // namespace accel::rendezvous
