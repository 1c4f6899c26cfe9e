// Stopping every descendant of the launcher: the subreaper sweep.
//
// Killing the workers' process groups misses what left them: a worker's
// child that called setsid() (subprocess.Popen(start_new_session=True), a
// daemonising tool) is in a session of its own. The launcher is a child
// subreaper (supervisor.hpp), so such a process becomes the launcher's child
// once its parent dies, and while its parent lives it is still a descendant
// that the process table shows. At the end of each attempt the supervisor
// kills, round after round, every live descendant but the orphan reaper,
// until none is left or the deadline passes; processes forked during a round
// are found by the next one. DescendantSweep does it round by round, for the
// event loop; stop_descendants all at once, for a caller that may block.
//
// The rules live here, against a ProcessTable seam, so they are unit-tested
// with a fake table (tests/unit/supervisor/test_descendants.cpp); the /proc
// table and its pid-reuse argument are in proc_table.hpp.
// Not thread-safe; used by the event loop's thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace accel::supervisor {

// One process as the table saw it.
struct ProcessRecord {
  pid_t pid = 0;
  pid_t parent = 0;
  // When it started (clock ticks since boot). With the pid it names one
  // process for good: a pid reused later comes with a later start time.
  std::uint64_t start_time = 0;
  bool zombie = false;  // exited, not yet waited for: nothing left to kill
  std::string name;     // its command name, for messages
};

class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  // Every process there is now; each record is consistent in itself, the
  // table as a whole is not (processes come and go while it is read).
  virtual std::vector<ProcessRecord> list() = 0;
  // Sends SIGKILL to `target` if it is still that process and still a
  // descendant of `self`: its parent is now `self`, or is `parent` (the
  // record of its parent from the same list(), already verified), still the
  // same process. Returns whether the signal was sent. Never signals a
  // process that merely reuses a pid.
  virtual bool kill(const ProcessRecord& target, const ProcessRecord* parent, pid_t self) = 0;
};

// The descendants of `root` in `table`, every parent before its children,
// leaving out `spared` and its own descendants. Zombies included.
std::vector<ProcessRecord> descendants_of(std::span<const ProcessRecord> table, pid_t root,
                                          pid_t spared);

struct SweepReport {
  int rounds = 0;                        // rounds that found something alive
  int signalled = 0;                     // SIGKILLs sent over all rounds
  std::vector<ProcessRecord> survivors;  // still alive at the deadline
};

// The sweep one round at a time, for a caller that waits between rounds on
// its own terms: the event loop waits on a timer and SIGCHLD, never in here.
// The caller reaps its zombies between rounds, so that they are gone from
// the next list().
class DescendantSweep {
 public:
  // `table` outlives the sweep.
  DescendantSweep(ProcessTable& table, pid_t self, pid_t spared);

  // Looks at the table once and SIGKILLs every live descendant of `self` but
  // `spared` (and its subtree), top-down. Returns true when none was alive:
  // the sweep is over.
  bool kill_round();
  // The deadline passed: looks once more, without killing, and records
  // who is still alive as the report's survivors.
  void give_up();

  const SweepReport& report() const { return report_; }

 private:
  std::vector<ProcessRecord> live_family();

  ProcessTable& table_;
  pid_t self_;
  pid_t spared_;
  SweepReport report_;
};

// The whole sweep, waiting with `wait_for_exits` between rounds: kills every
// live descendant, calls `wait_for_exits` and looks again, until the table
// shows no live descendant, or `wait_for_exits` returns false (the deadline
// passed), and reports who survived. `wait_for_exits` also reaps: the
// caller's zombies are gone from the next list().
SweepReport stop_descendants(ProcessTable& table, pid_t self, pid_t spared,
                             const std::function<bool()>& wait_for_exits);

}  // namespace accel::supervisor
