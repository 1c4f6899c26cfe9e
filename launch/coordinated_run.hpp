// Running a planned launch: this launcher's share of the job, on one event
// loop. Member 0 serves the rendezvous and its KV store (docs/protocol.md);
// every launcher, member 0 included, joins it as a member; each round's go
// starts an attempt of the supervisor with the ranks and MASTER_PORT that
// round assigns; what happens to the workers -- the first failure, an
// interrupt, the end of an attempt -- goes back to the rendezvous. So every
// machine starts together, stops together (a failure anywhere, a lost
// machine, Ctrl-C on one), restarts together, and ends with the same exit
// code and the same summary. A single machine runs the same way over
// loopback, where the round costs a few frames and the store serves its own
// workers (ACCEL_STORE_ADDR / ACCEL_STORE_PORT / ACCEL_JOB_TOKEN).
//
// Output: the waiting line goes to `console.err` (waiting_line.hpp);
// launcher messages to the "accel" logger; the summary is returned, not
// printed. Errors: base::SystemError when the launcher cannot do its part
// (the rendezvous port cannot be bound, fork fails); everything the job or
// the other machines do is data in RunResult.
#pragma once

#include <ostream>
#include <string>

#include "launch/plan.hpp"

namespace accel::launch {

struct RunConsole {
  std::ostream& err;
  bool err_is_terminal = false;
};

struct RunResult {
  int exit_code = 0;
  // The failure summary, the same on every machine ("" after a plain
  // success); each line ends in '\n'.
  std::string summary;
  // Why this launcher could not take part (refused by the rendezvous, the
  // join timed out, the server went away), for "accel launch: <error>"; ""
  // when it took part to the end.
  std::string error;
};

RunResult run_planned_job(const LaunchPlan& plan, const RunConsole& console);

}  // namespace accel::launch
