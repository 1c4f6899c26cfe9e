// `accel launch`'s command line: every flag of `accelerate launch` (both
// --foo_bar and --foo-bar), torchrun's names for the same things, and accel's
// own launcher flags. Options come before the script; the script and
// everything after it (even --help) belong to the script.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/launch_spec.hpp"

namespace CLI {
class App;
}

namespace accel::cli {

struct LaunchOptions {
  config::LaunchFlags flags;  // what resolution needs (see config/launch_spec.hpp)

  // Launcher behaviour, not part of Accelerate's resolution.
  bool quiet = false;  // -q: no defaults notice
  int max_restarts = 0;
  double monitor_interval = 0.1;  // accepted for torchrun compatibility; accel is event-driven
  std::string role = "default";
  std::string tee = "0";  // torchrun's --tee: 0 none, 1 stdout, 2 stderr, 3 both
  std::optional<std::string> log_dir;
  std::optional<std::string> local_ranks_filter;  // "0,2": only these local ranks reach the console
  std::optional<std::string> run_id;              // --rdzv_id / --run_id
  std::string rdzv_backend = "static";
  std::string rdzv_conf;
  bool same_network = false;
  double grace_period_seconds = 30;
  bool no_prefix = false;
  std::optional<std::string> python;  // --python; else ACCEL_PYTHON; else python3 on PATH

  // The script (or module, or executable) and its arguments, verbatim.
  std::vector<std::string> command;
};

// Adds every launch flag to `launch` (the subcommand) and its help groups.
// Values land in `options` when CLI11 parses; call finish_launch_options
// afterwards for the parts CLI11 cannot bind directly.
void bind_launch_flags(CLI::App& launch, LaunchOptions& options);

// Moves the paradigm settings given as flags into options.flags.settings and
// the script + its arguments into options.command. Throws UserError for a
// value of the wrong type, an unknown option before the script, or no script.
void finish_launch_options(const CLI::App& launch, LaunchOptions& options);

}  // namespace accel::cli
