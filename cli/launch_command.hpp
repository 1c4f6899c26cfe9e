// Running a launch whose command line is already parsed, for the commands
// that start a job of their own through the real launcher (`accel test` and
// `accel bench` run accel itself as the worker): the same config file,
// planning, notices, supervision and summary as `accel launch`.
#pragma once

#include "base/environment.hpp"
#include "cli/console.hpp"
#include "launch/launch_request.hpp"

namespace accel::cli {

// Loads the config file the request names (or Accelerate's default file
// when it exists and --cpu was not given), plans the job against this
// machine and runs it with `launcher_env` as the launcher's environment
// (the workers inherit it). Returns the job's exit code; throws UserError
// for a request that cannot be planned or a launcher that cannot run.
int run_launch_request(launch::LaunchRequest& request, const base::Environment& launcher_env,
                       Console& console);

}  // namespace accel::cli
