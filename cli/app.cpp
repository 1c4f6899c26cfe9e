#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/errors.hpp"
#include "cli/version.hpp"

namespace accel::cli {

namespace {

constexpr const char* kDescription =
    "accel: a fast, drop-in launcher for distributed training.\n"
    "Reads Accelerate's config files, takes `accelerate launch` and `torchrun` flags.\n"
    "\n"
    "Exit codes: 0 success, 1 the job failed, 2 bad command line or input,\n"
    "128+N interrupted by signal N (or a worker killed by signal N).";

bool has_subcommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(name)) return true;
  }
  return false;
}

// The whole command line: every subcommand registered on `app`.
void configure(CLI::App& app, Invocation& invocation) {
  app.set_version_flag("--version", std::string("accel ") + version());
  app.require_subcommand(1);
  app.fallthrough(false);
  setup_config(app, invocation);
  setup_launch(app, invocation);
  setup_env(app, invocation);
  setup_test(app, invocation);
  setup_bench(app, invocation);
  setup_generate(app, invocation);
}

// CLI11 takes the arguments last first.
void parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  app.parse(args);
}

bool parses(const std::vector<std::string>& args) {
  CLI::App app{kDescription, "accel"};
  Invocation invocation;
  configure(app, invocation);
  try {
    parse(app, args);
    return true;
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
  }
}

// `accel launch [options] -- script.py ...`: argparse, and so Accelerate and
// torchrun, read `--` as "the script comes next". CLI11 hands it to the
// top-level command, which has no place for the script. Drop that `--` when
// it stands before the script -- exactly when the line does not parse with
// it; a `--` after the script is the script's and parses fine.
std::vector<std::string> without_marker_before_script(std::vector<std::string> args) {
  const auto marker = std::find(args.begin(), args.end(), "--");
  if (args.empty() || args.front() != "launch" || marker == args.end() || parses(args)) {
    return args;
  }
  std::vector<std::string> dropped = args;
  dropped.erase(dropped.begin() + (marker - args.begin()));
  return parses(dropped) ? dropped : args;
}

}  // namespace

int main(int argc, const char* const* argv, Console& console) {
  CLI::App app{kDescription, "accel"};
  Invocation invocation;
  configure(app, invocation);
  const std::vector<std::string> args =
      without_marker_before_script(std::vector<std::string>(argv + 1, argv + argc));

  // CLI11 would report an unknown first word as "a subcommand is required";
  // name the word instead.
  if (!args.empty() && !args.front().starts_with('-') && !has_subcommand(app, args.front())) {
    console.err << "accel: error: unknown command '" << args.front() << "'\n"
                << "Commands: config, launch, env, test, bench. Run 'accel --help' for usage.\n";
    return kExitUsage;
  }

  try {
    parse(app, args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e, console.out, console.err);  // --help, --version
    }
    console.err << "accel: error: " << e.what() << "\n"
                << "Run 'accel --help' (or 'accel <command> --help') for usage.\n";
    return kExitUsage;
  }

  try {
    return invocation.run ? invocation.run(console) : kExitUsage;
  } catch (const UserError& e) {
    console.err << "accel: error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    // A bug or an environment problem we did not anticipate: still no trace.
    console.err << "accel: internal error: " << e.what() << "\n"
                << "Please report this with the output of 'accel --version'.\n";
    return kExitFailure;
  }
}

}  // namespace accel::cli
