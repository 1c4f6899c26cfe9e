// How a subcommand plugs into the `accel` command line (CLI11): each one has
// an Options struct, a setup_<cmd>(CLI::App&, Invocation&) that adds the
// subcommand and binds its flags, and a run_<cmd>(const Options&, Console&)
// that does the work. setup_* stores what to run in the Invocation once CLI11
// has parsed the command line, so parsing and running stay separate.
#pragma once

#include <functional>

#include "cli/console.hpp"

namespace CLI {
class App;
}

namespace accel::cli {

struct Invocation {
  std::function<int(Console&)> run;  // set by the subcommand that was picked
};

void setup_config(CLI::App& app, Invocation& invocation);
void setup_launch(CLI::App& app, Invocation& invocation);
void setup_env(CLI::App& app, Invocation& invocation);
// `test` and `bench` also add the hidden worker subcommands they run.
void setup_test(CLI::App& app, Invocation& invocation);
void setup_bench(CLI::App& app, Invocation& invocation);
// Hidden `__generate man|bash|zsh|fish`: documents `app` itself, so it must
// be set up last, on the root app.
void setup_generate(CLI::App& app, Invocation& invocation);

}  // namespace accel::cli
