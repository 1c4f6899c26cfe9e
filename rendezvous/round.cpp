#include "rendezvous/round.hpp"

#include <string.h>  // sigabbrev_np

#include <string>

#include "base/network_interface.hpp"

namespace accel::rendezvous {

namespace {

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto whole = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  if (duration.count() % 1000 == 0 || whole >= 10) return std::to_string(whole) + " s";
  return std::to_string(duration.count()) + " ms";
}

std::string signal_text(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  std::string text = "signal " + std::to_string(signal);
  if (abbreviation != nullptr) text += std::string(" (SIG") + abbreviation + ")";
  return text;
}

std::string join_indices(const std::vector<int>& indices) {
  std::string text;
  for (const int index : indices) {
    if (!text.empty()) text += ", ";
    text += std::to_string(index);
  }
  return text;
}

// "machine 2" or "machines 2, 3": the launcher's live line says it the same
// way, so the final message reads like the line it replaces.
std::string machines_named(const std::vector<int>& indices) {
  return (indices.size() == 1 ? "machine " : "machines ") + join_indices(indices);
}

// "machine 2 says num_processes=8 but machine 0 says 16".
template <typename Value>
std::optional<std::string> disagreement(int member, int reference, const char* field,
                                        const Value& mine, const Value& theirs) {
  if (mine == theirs) return std::nullopt;
  auto text = [](const Value& value) {
    if constexpr (std::is_same_v<Value, std::string>) {
      return "'" + value + "'";
    } else {
      return std::to_string(value);
    }
  };
  return "machine " + std::to_string(member) + " says " + field + "=" + text(mine) +
         " but machine " + std::to_string(reference) + " says " + text(theirs);
}

}  // namespace

int exit_code_of(const FailureRecord& record) {
  return record.signal != 0 ? 128 + record.signal : record.exit_code;
}

std::string describe_failure(const FailureRecord& record) {
  std::string text = "rank " + std::to_string(record.rank) + " (local rank " +
                     std::to_string(record.local_rank) + ") on " + record.host;
  if (record.signal != 0) return text + " was killed by " + signal_text(record.signal);
  return text + " exited with code " + std::to_string(record.exit_code);
}

Round::Round(RoundOptions options, Clock::time_point start)
    : options_(std::move(options)),
      start_(start),
      members_(static_cast<std::size_t>(std::max(options_.member_count, 0))),
      next_status_(start) {}

bool Round::joined(int member) const {
  return member >= 0 && member < static_cast<int>(members_.size()) &&
         members_[static_cast<std::size_t>(member)].joined;
}

std::string Round::member_name(int member) const {
  std::string name = "machine " + std::to_string(member);
  if (joined(member) || (member >= 0 && member < static_cast<int>(members_.size()) &&
                         !members_[static_cast<std::size_t>(member)].request.hostname.empty())) {
    name += " (" + members_[static_cast<std::size_t>(member)].request.hostname + ")";
  }
  return name;
}

std::optional<std::string> Round::check_agreement(const JoinRequest& r) const {
  const int me = r.member_index;
  if (r.member_count != options_.member_count) {
    return "machine " + std::to_string(me) +
           " says num_machines=" + std::to_string(r.member_count) +
           " but the rendezvous server (machine 0) says " + std::to_string(options_.member_count);
  }
  if (me < 0 || me >= options_.member_count) {
    return "machine_rank " + std::to_string(me) + " is out of range: num_machines is " +
           std::to_string(options_.member_count) + ", so machine_rank must be 0.." +
           std::to_string(options_.member_count - 1);
  }
  if (r.num_processes < 1 || r.local_workers < 1 || r.max_restarts < 0) {
    return "machine " + std::to_string(me) +
           " says num_processes=" + std::to_string(r.num_processes) + ", " +
           std::to_string(r.local_workers) +
           " local workers, max_restarts=" + std::to_string(r.max_restarts) +
           ": each must be at least 1 (max_restarts at least 0)";
  }
  if (r.num_processes % r.member_count != 0) {
    return "machine " + std::to_string(me) +
           " says num_processes=" + std::to_string(r.num_processes) +
           ", which is not divisible by num_machines=" + std::to_string(r.member_count);
  }
  const int per_member = r.num_processes / r.member_count;
  if (r.local_workers != per_member) {
    return "machine " + std::to_string(me) + " would start " + std::to_string(r.local_workers) +
           " workers, but num_processes=" + std::to_string(r.num_processes) +
           " over num_machines=" + std::to_string(r.member_count) + " means " +
           std::to_string(per_member) + " per machine";
  }
  const Member& slot = members_[static_cast<std::size_t>(me)];
  if (slot.joined) {
    return "machine_rank " + std::to_string(me) + " has already joined from " +
           slot.request.hostname + ", and " + r.hostname + " says machine_rank " +
           std::to_string(me) + " too: give every machine its own --machine_rank";
  }
  std::optional<JobTerms> reference_terms = options_.terms;
  int reference = 0;
  if (!reference_terms && reference_ >= 0) {
    const JoinRequest& first = members_[static_cast<std::size_t>(reference_)].request;
    reference_terms = JobTerms{first.num_processes, first.script, first.max_restarts};
    reference = reference_;
  }
  if (!reference_terms) return std::nullopt;
  const JobTerms& ref = *reference_terms;
  if (auto error =
          disagreement(me, reference, "num_processes", r.num_processes, ref.num_processes)) {
    return error;
  }
  if (auto error = disagreement(me, reference, "script", r.script, ref.script)) return error;
  if (auto error = disagreement(me, reference, "max_restarts", r.max_restarts, ref.max_restarts)) {
    return error;
  }
  return std::nullopt;
}

std::optional<std::string> Round::join(const JoinRequest& request, Clock::time_point now,
                                       RoundActions& out) {
  if (phase_ != Phase::kJoining) {
    return "machine " + std::to_string(request.member_index) +
           " cannot join: the job has already started (round " + std::to_string(round_) + ")";
  }
  if (auto refusal = check_agreement(request)) return refusal;
  Member& member = members_[static_cast<std::size_t>(request.member_index)];
  member.joined = true;
  member.request = request;
  member.last_heard = now;
  ++joined_count_;
  if (reference_ < 0) reference_ = request.member_index;
  if (joined_count_ == options_.member_count) start_reaching(now, out);
  return std::nullopt;
}

void Round::heard_from(int member, Clock::time_point now) {
  if (joined(member)) members_[static_cast<std::size_t>(member)].last_heard = now;
}

void Round::disconnected(int member, Clock::time_point, RoundActions& out) {
  if (!joined(member)) return;
  if (phase_ == Phase::kJoining) {
    forget(member);  // not started yet: it may come back (its launcher retries)
    return;
  }
  lose(member, member_name(member) + " disconnected from the rendezvous", out);
}

void Round::forget(int member) {
  members_[static_cast<std::size_t>(member)].joined = false;
  --joined_count_;
  if (reference_ != member) return;
  reference_ = -1;
  for (int i = 0; i < static_cast<int>(members_.size()) && reference_ < 0; ++i) {
    if (members_[static_cast<std::size_t>(i)].joined) reference_ = i;
  }
}

void Round::lose(int member, const std::string& reason, RoundActions& out) {
  Member& lost = members_[static_cast<std::size_t>(member)];
  switch (phase_) {
    case Phase::kJoining:
      forget(member);
      out.drop.emplace_back(member, reason);
      return;
    case Phase::kReaching:
      out.close_probe_port = true;
      end_job(1, reason + " before the workers started", out);
      return;
    case Phase::kRunning:
    case Phase::kStopping:
      if (lost.ended) return;
      lost_ = true;
      if (phase_ == Phase::kRunning) stop_all(reason, std::nullopt, out);
      note_ended(member, out);
      return;
    case Phase::kEnded: return;
  }
}

void Round::start_reaching(Clock::time_point now, RoundActions& out) {
  phase_ = Phase::kReaching;
  reached_count_ = 0;
  ended_count_ = 0;
  for (Member& member : members_) {
    member.reached = false;
    member.ended = false;
  }
  root_cause_.reset();
  stop_reason_.clear();
  failed_ = false;
  if (!options_.check_reachability) {
    master_port_ = options_.master_port;
    phase_ = Phase::kRunning;
    send_go(out);
    return;
  }
  reach_deadline_ = now + options_.reach_timeout;
  out.open_probe_port = true;
}

void Round::probe_port_opened(uint16_t port, RoundActions& out) {
  if (phase_ != Phase::kReaching) return;
  master_port_ = port;
  out.to_all.emplace_back(ReachCheck{round_, options_.master_addr, port});
}

void Round::probe_port_failed(const std::string& error, RoundActions& out) {
  if (phase_ != Phase::kReaching) return;
  end_job(1,
          "machine 0 cannot open a port for MASTER_PORT on " + options_.master_addr + ": " + error,
          out);
}

std::string Round::loopback_hint(int unreachable_from) const {
  if (!base::is_loopback(options_.master_addr)) return "";
  // A member that cannot reach a loopback address is elsewhere, even when
  // every host says the same name (containers, network namespaces).
  const std::string elsewhere =
      ". main_process_ip " + options_.master_addr + " is a loopback address, but " +
      member_name(unreachable_from) +
      " cannot reach it there: it runs on another host (or in another container or network "
      "namespace); set --main_process_ip to an address of machine 0 that the others can reach";
  const std::string* first_host = nullptr;
  for (const Member& member : members_) {
    if (!member.joined) continue;
    if (first_host == nullptr) {
      first_host = &member.request.hostname;
    } else if (member.request.hostname != *first_host) {
      return ". main_process_ip " + options_.master_addr +
             " is a loopback address, but the machines are different hosts (" + *first_host + ", " +
             member.request.hostname +
             "): set --main_process_ip to an address of machine 0 that the others can reach";
    }
  }
  return elsewhere;
}

void Round::reach_report(int member, const ReachReport& report, RoundActions& out) {
  if (phase_ != Phase::kReaching || report.round != round_ || !joined(member)) return;
  Member& slot = members_[static_cast<std::size_t>(member)];
  if (!report.reached) {
    std::string from = report.local_address.empty() ? "" : " from " + report.local_address;
    if (!report.interface.empty()) from += " (interface " + report.interface + ")";
    out.close_probe_port = true;
    end_job(1,
            member_name(member) + " cannot reach MASTER_ADDR:MASTER_PORT " + options_.master_addr +
                ":" + std::to_string(master_port_) + from + ": " + report.error +
                loopback_hint(member),
            out);
    return;
  }
  if (slot.reached) return;
  slot.reached = true;
  if (++reached_count_ == options_.member_count) {
    out.close_probe_port = true;
    phase_ = Phase::kRunning;
    send_go(out);
  }
}

void Round::send_go(RoundActions& out) {
  int world_size = 0;
  for (const Member& member : members_) world_size += member.request.local_workers;
  int first_rank = 0;
  for (int i = 0; i < static_cast<int>(members_.size()); ++i) {
    const JoinRequest& request = members_[static_cast<std::size_t>(i)].request;
    Assignment assignment;
    assignment.round = round_;
    assignment.member_index = i;
    assignment.member_count = options_.member_count;
    assignment.first_rank = first_rank;
    assignment.local_workers = request.local_workers;
    assignment.world_size = world_size;
    assignment.max_restarts = request.max_restarts;
    assignment.master_addr = options_.master_addr;
    assignment.master_port = master_port_;
    out.to_member.emplace_back(i, Go{assignment});
    first_rank += request.local_workers;
  }
}

void Round::stop_all(const std::string& reason, const std::optional<FailureRecord>& root_cause,
                     RoundActions& out) {
  phase_ = Phase::kStopping;
  stop_reason_ = reason;
  out.to_all.emplace_back(Stop{round_, reason, root_cause});
}

void Round::failure_report(int member, const FailureReport& report, RoundActions& out) {
  if (report.round != round_ || !joined(member)) return;
  if (phase_ != Phase::kRunning && phase_ != Phase::kStopping) return;
  failed_ = true;
  if (root_cause_ || phase_ == Phase::kStopping) return;  // the first failure wins
  root_cause_ = report.record;
  stop_all(describe_failure(report.record), root_cause_, out);
}

void Round::attempt_ended(int member, const AttemptEnded& report, RoundActions& out) {
  if (report.round != round_ || !joined(member)) return;
  if (phase_ != Phase::kRunning && phase_ != Phase::kStopping) return;
  if (members_[static_cast<std::size_t>(member)].ended) return;
  switch (report.outcome) {
    case AttemptOutcome::kSucceeded: break;
    case AttemptOutcome::kInterrupted:
      if (interrupt_signal_ == 0) interrupt_signal_ = report.signal != 0 ? report.signal : 2;
      if (phase_ == Phase::kRunning) {
        stop_all(member_name(member) + " was interrupted by " + signal_text(interrupt_signal_),
                 std::nullopt, out);
      }
      break;
    case AttemptOutcome::kFailed:
    case AttemptOutcome::kStopped:  // stopped without being told to: a failure too
      failed_ = true;
      if (phase_ == Phase::kRunning) {
        stop_all(member_name(member) + " reported a failed attempt", std::nullopt, out);
      }
      break;
  }
  note_ended(member, out);
}

void Round::note_ended(int member, RoundActions& out) {
  Member& slot = members_[static_cast<std::size_t>(member)];
  if (slot.ended) return;
  slot.ended = true;
  if (++ended_count_ == options_.member_count) finish_attempt(out);
}

void Round::finish_attempt(RoundActions& out) {
  if (lost_) {
    end_job(1, stop_reason_, out);
  } else if (interrupt_signal_ != 0) {
    end_job(128 + interrupt_signal_, stop_reason_, out);
  } else if (failed_ && round_ < members_.front().request.max_restarts) {
    ++round_;
    start_reaching(Clock::time_point(), out);
    reach_deadline_ = Clock::time_point::max();  // set on the next tick
  } else if (failed_) {
    const int exit_code = root_cause_ ? exit_code_of(*root_cause_) : 1;
    end_job(exit_code == 0 ? 1 : exit_code, stop_reason_, out);
  } else {
    end_job(0, "all " + std::to_string(options_.member_count) + " machines finished successfully",
            out);
  }
}

void Round::end_job(int exit_code, const std::string& reason, RoundActions& out) {
  phase_ = Phase::kEnded;
  JobEnd end{exit_code, reason, root_cause_};
  job_end_ = end;
  out.to_all.emplace_back(std::move(end));
}

std::vector<int> Round::missing_members(std::size_t limit) const {
  std::vector<int> missing;
  for (int i = 0; i < static_cast<int>(members_.size()) && missing.size() < limit; ++i) {
    if (!members_[static_cast<std::size_t>(i)].joined) missing.push_back(i);
  }
  return missing;
}

void Round::tick(Clock::time_point now, RoundActions& out) {
  if (phase_ == Phase::kEnded) return;
  if (phase_ == Phase::kJoining && now - start_ >= options_.join_timeout) {
    const std::vector<int> missing = missing_members(members_.size());
    end_job(1,
            "timed out after " + seconds_text(options_.join_timeout) + " waiting for " +
                machines_named(missing) + " of " + std::to_string(options_.member_count) +
                " to join the rendezvous",
            out);
    return;
  }
  for (int i = 0; i < static_cast<int>(members_.size()); ++i) {
    const Member& member = members_[static_cast<std::size_t>(i)];
    if (member.joined && !member.ended && now - member.last_heard > options_.heartbeat_timeout) {
      lose(i,
           member_name(i) + " went silent: nothing heard from it for " +
               seconds_text(options_.heartbeat_timeout),
           out);
      if (phase_ == Phase::kEnded) return;
    }
  }
  if (phase_ == Phase::kReaching) {
    if (reach_deadline_ == Clock::time_point::max()) reach_deadline_ = now + options_.reach_timeout;
    if (now >= reach_deadline_) {
      std::vector<int> silent;
      for (int i = 0; i < static_cast<int>(members_.size()); ++i) {
        if (!members_[static_cast<std::size_t>(i)].reached) silent.push_back(i);
      }
      out.close_probe_port = true;
      end_job(1,
              machines_named(silent) + " did not report within " +
                  seconds_text(options_.reach_timeout) +
                  (silent.size() == 1 ? " whether it reaches" : " whether they reach") +
                  " MASTER_ADDR " + options_.master_addr + ":" + std::to_string(master_port_),
              out);
    }
    return;
  }
  if (phase_ == Phase::kJoining && joined_count_ > 0 && now >= next_status_) {
    next_status_ = now + options_.status_interval;
    Status status;
    status.joined = joined_count_;
    status.member_count = options_.member_count;
    for (const int index : missing_members(kMaxStatusMissing)) status.missing.push_back(index);
    status.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
    out.to_all.emplace_back(std::move(status));
  }
}

}  // namespace accel::rendezvous
