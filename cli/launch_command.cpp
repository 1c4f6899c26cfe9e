// placeholder: `accel launch` lands with the supervisor
#include <CLI/CLI.hpp>

#include "cli/command.hpp"

namespace accel::cli {
void setup_launch(CLI::App& app, Invocation&) {
  app.add_subcommand("launch", "Launch a training script on this machine");
}
}  // namespace accel::cli
