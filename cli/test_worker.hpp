// The worker of `accel test`: one rank of the job the test command launches
// (accel runs itself as `accel __test_worker` under the real launcher). It
// checks what a native worker relies on -- the launcher's environment, the
// job's KV store, barriers (wait_for_everyone), main_process_first's order,
// and every collective x type x op against known results
// (collective_check.hpp) -- and records each failure with what was expected,
// so the test command can say what failed on which rank.
//
// Every check runs even after one fails: a wrong result does not break the
// communicator, and the whole list is worth more than the first failure. A
// communication error (a peer died, a timeout) does break it: that error is
// the rank's last failure. Each rank writes its report before a final
// barrier, so a failing rank's exit cannot stop the others before theirs is
// written.
//
// Thread-safety: runs on the calling thread only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "cli/collective_check.hpp"

namespace accel::cli {

// The variable through which `accel test` tells its workers where to write
// their reports (one file per rank, test_report.hpp).
inline constexpr const char* kTestReportDirVariable = "ACCEL_TEST_REPORT_DIR";
// For accel's own tests of the failure path: the rank named here corrupts
// one all_reduce result before checking it.
inline constexpr const char* kTestCorruptRankVariable = "ACCEL_TEST_CORRUPT_RANK";

// The collective checks `accel test` runs in a world of `world_size`: every
// collective x type x op (reducing ones) in and out of place, at 0, 1 and
// odd counts; and, with `with_large`, 64 MiB per collective (fp32 sum and a
// bf16 all_reduce). Rooted collectives use the last rank as root, so a root
// other than 0 is exercised.
std::vector<CollectiveCase> test_cases(int world_size, bool with_large);

struct TestOutcome {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  int checks = 0;                     // checks run (environment, store, ... and each case)
  std::vector<std::string> failures;  // one line each, without the rank
};

struct TestWorkerOptions {
  EnvLookup env;  // empty = the process environment
  bool with_large = true;
  // The collectives on CUDA device buffers (accel test --device cuda): each
  // rank uses its GPU (ACCEL_LOCAL_DEVICE, else LOCAL_RANK), NCCL runs them.
  bool on_device = false;
  // Where to write this rank's report (test_report.hpp) before the final
  // barrier; none: no report file.
  std::optional<std::filesystem::path> report_dir;
};

// Runs every check as this process's rank of the job (a world of one when
// started without a launcher). Communication errors end the list and are
// the last failure; never throws for a failed check.
TestOutcome run_test_checks(const TestWorkerOptions& options);

}  // namespace accel::cli
