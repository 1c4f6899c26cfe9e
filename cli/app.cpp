#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <ostream>

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

}  // namespace

int main(int argc, const char* const* argv, Console& console) {
  CLI::App app{kDescription, "accel"};
  app.set_version_flag("--version", std::string("accel ") + version());
  app.require_subcommand(1);
  app.fallthrough(false);

  Invocation invocation;
  setup_config(app, invocation);
  setup_launch(app, invocation);

  // CLI11 would report an unknown first word as "a subcommand is required";
  // name the word instead.
  if (argc > 1 && argv[1][0] != '-' && !has_subcommand(app, argv[1])) {
    console.err << "accel: error: unknown command '" << argv[1] << "'\n"
                << "Commands: config, launch. Run 'accel --help' for usage.\n";
    return kExitUsage;
  }

  try {
    app.parse(argc, argv);
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
