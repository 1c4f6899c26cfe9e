// How the workers of `accel test` tell the test command what they found:
// one small text file per rank in a directory the command creates
// (rank<R>.txt: the rank, the world size, the number of checks, one line per
// failure), written whole under a temporary name and renamed into place, so
// the command never reads half a report. Then the command's verdict:
// "Test is a success!" (Accelerate's words) or every failure with its rank.
//
// Errors: base::SystemError when a report cannot be written; reports that
// cannot be read are left out (and the verdict says which ranks are missing).
#pragma once

#include <filesystem>
#include <ostream>
#include <vector>

#include "cli/test_worker.hpp"

namespace accel::cli {

void write_test_report(const std::filesystem::path& dir, const TestOutcome& outcome);

// Every report in `dir`, by rank.
std::vector<TestOutcome> read_test_reports(const std::filesystem::path& dir);

// Writes the verdict on a job that exited with `job_exit_code` and left
// `reports`, and returns the test command's exit code: 0 only when the job
// succeeded and every rank reported without a failure.
int write_test_verdict(std::ostream& out, std::ostream& err,
                       const std::vector<TestOutcome>& reports, int job_exit_code);

}  // namespace accel::cli
