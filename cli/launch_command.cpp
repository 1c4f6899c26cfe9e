// `accel launch`: parse (launch_flags.cpp), load the config file, plan the
// job against this machine (launch/plan.hpp), print the notices, and run it
// with the rendezvous and the supervisor (launch/coordinated_run.hpp).
// Nothing is started until every check has passed.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <ostream>

#include "base/environment.hpp"
#include "base/system_error.hpp"
#include "cli/command.hpp"
#include "cli/errors.hpp"
#include "cli/launch_command.hpp"
#include "cli/launch_flags.hpp"
#include "config/config_path.hpp"
#include "config/config_reader.hpp"
#include "host/host_probe.hpp"
#include "launch/coordinated_run.hpp"
#include "launch/plan.hpp"
#include "supervisor/log.hpp"
#include "supervisor/summary.hpp"
#include "supervisor/supervisor.hpp"

namespace accel::cli {

namespace {

constexpr const char* kLaunchDescription =
    "Launch a training script (or any program) as a group of workers on this machine -- or, run "
    "once per machine, on several machines (docs/machines.md) -- with the environment "
    "`accelerate launch` and torchrun give them.\n"
    "Flags are Accelerate's (--num_processes or --num-processes) and torchrun's; options go before "
    "the script, everything after it is the script's.\n"
    "Values come from the flags, then the config file, then defaults.";

// Help lists each flag once, by its underscore name (as Accelerate's help
// does); the dashed spelling is accepted all the same.
class LaunchHelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* option, bool is_positional) const override {
    if (is_positional) return CLI::Formatter::make_option_name(option, is_positional);
    std::string name;
    for (const std::string& short_name : option->get_snames()) name += "-" + short_name + ", ";
    const auto& long_names = option->get_lnames();
    return long_names.empty() ? name.substr(0, name.size() - 2) : name + "--" + long_names.front();
  }
};

// The config file, loaded; its warnings (an unquoted `distributed_type: NO`,
// ...) go to `err` at once, whether or not the launch goes ahead.
std::optional<config::ClusterConfig> load_cluster_config(const std::optional<std::string>& path,
                                                         std::ostream& err) {
  if (!path) return std::nullopt;
  config::LoadResult loaded = config::load_config(*path);
  err << config::format_warnings(loaded.warnings);
  if (!loaded.ok()) {
    std::string diagnostics = config::format(loaded.diagnostics);
    if (!diagnostics.empty() && diagnostics.back() == '\n') diagnostics.pop_back();
    throw UserError("the config file " + *path + " cannot be used:\n" + diagnostics +
                    "\nFix it (accel config validate shows the same), or pass --config_file with "
                    "another file.");
  }
  supervisor::log()->debug("config file {}", *path);
  return std::move(loaded.config);
}

// The config file `accelerate launch` would read (--config_file, else the
// default file when it exists and --cpu was not given), loaded.
std::pair<std::optional<config::ClusterConfig>, std::string> config_for(
    const launch::LaunchRequest& request, const base::Environment& launcher_env,
    std::ostream& err) {
  const std::string default_path = config::default_config_path(base::lookup_in(launcher_env));
  std::error_code error;
  const bool default_exists = std::filesystem::is_regular_file(default_path, error);
  const auto path = config::config_file_to_load(request.flags, default_path, default_exists);
  return {load_cluster_config(path, err), path.value_or("")};
}

int run_launch(launch::LaunchRequest& request, const CLI::App& launch, Console& console) {
  // Here rather than in the parse callback: cli::main catches UserError
  // around running, not around parsing.
  finish_launch_flags(launch, request);
  return run_launch_request(request, base::current_environment(), console);
}

}  // namespace

int run_launch_request(launch::LaunchRequest& request, const base::Environment& launcher_env,
                       Console& console) {
  if (request.flags.debug) spdlog::set_level(spdlog::level::debug);
  request.console_is_terminal = console.out_is_terminal;
  const auto [cluster, config_path] = config_for(request, launcher_env, console.err);

  host::SystemHostProbe host(launcher_env);
  launch::PlanResult planned =
      launch::plan_launch(request, cluster ? &*cluster : nullptr, config_path, launcher_env, host);
  if (!planned.plan) throw UserError(planned.error->message, planned.error->exit_code);
  const launch::LaunchPlan& plan = *planned.plan;
  // Every check has passed: from here on the job starts.
  for (const std::string& notice : plan.notices) console.err << notice;
  console.err << std::flush;
  // Through the supervisor's logger, so every debug line reads "[accel debug] ...".
  supervisor::log()->debug("{} worker(s) of {}, MASTER_ADDR={} MASTER_PORT={}, run id {}",
                           plan.job.nproc_per_node, plan.job.argv.front(),
                           plan.job.ranks.master_addr, plan.job.ranks.master_port, plan.job.run_id);

  launch::RunResult result;
  try {
    result =
        launch::run_planned_job(plan, launch::RunConsole{console.err, console.err_is_terminal});
  } catch (const base::SystemError& e) {
    throw UserError(std::string("the launcher could not run the job: ") + e.what(), kExitFailure);
  }
  // Also after a success that needed restarts: the failed attempts are news.
  console.err << result.summary;
  if (!result.error.empty()) console.err << "accel launch: " << result.error << "\n";
  console.err << std::flush;
  return result.exit_code;
}

void setup_launch(CLI::App& app, Invocation& invocation) {
  CLI::App* launch =
      app.add_subcommand("launch", "Launch a training script on this machine or several");
  launch->description(kLaunchDescription);
  launch->formatter(std::make_shared<LaunchHelpFormatter>());
  launch->footer(
      "Run: accel launch [options] script.py [args...]   (python3 script.py, or --python / "
      "$ACCEL_PYTHON)\n"
      "     accel launch [options] -m module [args...]\n"
      "     accel launch [options] ./program [args...]     (any executable; --no_python forces "
      "this)\n"
      "Exit codes: 0 success; the failing worker's code (128+N for signal N); 2 bad command line "
      "or input.\n"
      "See docs/launch.md for the worker environment, logs and failure handling.");
  configure_launch_parsing(*launch);
  auto request = std::make_shared<launch::LaunchRequest>();
  bind_launch_flags(*launch, *request);
  launch->callback([launch, request, &invocation] {
    invocation.run = [launch, request](Console& console) {
      return run_launch(*request, *launch, console);
    };
  });
}

}  // namespace accel::cli
