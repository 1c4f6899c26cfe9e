// placeholder: `accel config` lands with the config model
#include <CLI/CLI.hpp>

#include "cli/command.hpp"

namespace accel::cli {
void setup_config(CLI::App& app, Invocation&) {
  app.add_subcommand("config", "Create, show, update or validate an Accelerate config file");
}
}  // namespace accel::cli
