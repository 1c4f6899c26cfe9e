// The root-cause report `accel launch` prints when a job did not simply
// succeed: which worker failed first (rank, local rank, host, exit code or
// signal name, pid, run time) and the last lines of its stderr, the other
// workers that failed on their own in the same attempt, and one line per
// earlier failed attempt when restarts happened. Pure formatting.
#pragma once

#include <chrono>
#include <string>

#include "supervisor/job.hpp"

namespace accel::supervisor {

// Empty when there is nothing to report (a first-attempt success). Each line
// ends with '\n'; the text does not start with a log prefix, so the cli can
// print it as is to stderr.
std::string format_summary(const JobResult& result);

// "850 ms", "2.3 s", "4 min 05 s", "2 h 03 min".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace accel::supervisor
