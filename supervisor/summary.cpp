#include "supervisor/summary.hpp"

#include <fmt/format.h>

#include "supervisor/exit_status.hpp"

namespace accel::supervisor {

namespace {

std::string how_it_ended(const WorkerFailure& failure) {
  if (failure.signal != 0) {
    return fmt::format("was killed by {} (signal {}, exit code {})", signal_name(failure.signal),
                       failure.signal, 128 + failure.signal);
  }
  return fmt::format("exited with code {}", failure.exit_code);
}

std::string who(const WorkerFailure& failure) {
  return fmt::format("rank {} (local rank {}) on {}", failure.rank, failure.local_rank,
                     failure.host.empty() ? std::string("this machine") : failure.host);
}

std::string one_line(const WorkerFailure& failure) {
  return fmt::format("{} {} (pid {}, ran {})", who(failure), how_it_ended(failure), failure.pid,
                     format_duration(failure.run_time));
}

void append_root_cause(std::string& out, const AttemptResult& attempt) {
  const WorkerFailure& root = attempt.failures.front();
  out += fmt::format("Root cause (first observed failure, attempt {}):\n", attempt.attempt);
  out += fmt::format("  {} {}\n", who(root), how_it_ended(root));
  out += fmt::format("  pid {}, ran {}\n", root.pid, format_duration(root.run_time));
  if (root.stderr_tail.empty()) {
    out += "  its stderr was empty\n";
  } else {
    out += fmt::format("  last {} lines of its stderr:\n", root.stderr_tail.size());
    for (const std::string& line : root.stderr_tail) out += fmt::format("    {}\n", line);
  }
  if (attempt.failures.size() > 1) {
    out += "Other failures in that attempt (before the group was stopped):\n";
    for (std::size_t i = 1; i < attempt.failures.size(); ++i) {
      out += fmt::format("  {}\n", one_line(attempt.failures[i]));
    }
  }
}

}  // namespace

std::string format_duration(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
  const long long seconds = ms / 1000;
  if (seconds < 3600) return fmt::format("{} min {:02} s", seconds / 60, seconds % 60);
  return fmt::format("{} h {:02} min", seconds / 3600, (seconds % 3600) / 60);
}

std::string format_summary(const JobResult& result) {
  const bool succeeded = result.exit_code == 0 && result.interrupted_by == 0;
  if (succeeded && result.failed_attempts.empty()) return {};

  std::string out;
  const std::string rule(72, '=');
  out += rule + "\n";
  if (succeeded) {
    out += fmt::format("accel: the job succeeded on attempt {} after {} failed attempt(s):\n",
                       result.attempts - 1, result.failed_attempts.size());
  } else if (result.interrupted_by != 0) {
    out += fmt::format("accel: interrupted by {}; the workers were stopped (exit code {})\n",
                       signal_name(result.interrupted_by), result.exit_code);
  } else {
    out += fmt::format("accel: the job failed (exit code {}) after {} attempt(s)\n",
                       result.exit_code, result.attempts);
  }

  // A failed (not merely interrupted) job gets the full story of the attempt
  // that ended it; every other failed attempt gets one line.
  const bool last_attempt_failed = !succeeded && !result.failed_attempts.empty() &&
                                   result.failed_attempts.back().attempt == result.attempts - 1 &&
                                   !result.failed_attempts.back().failures.empty();
  std::size_t earlier = result.failed_attempts.size() - (last_attempt_failed ? 1 : 0);
  if (earlier > 0) {
    if (!succeeded) out += "Earlier attempts:\n";
    for (std::size_t i = 0; i < earlier; ++i) {
      const AttemptResult& attempt = result.failed_attempts[i];
      if (attempt.failures.empty()) continue;
      out += fmt::format("  attempt {}: {}", attempt.attempt, one_line(attempt.failures.front()));
      if (attempt.failures.size() > 1) {
        out += fmt::format(" (+{} other failure(s))", attempt.failures.size() - 1);
      }
      out += "\n";
    }
  }
  if (last_attempt_failed) append_root_cause(out, result.failed_attempts.back());
  out += rule + "\n";
  return out;
}

}  // namespace accel::supervisor
