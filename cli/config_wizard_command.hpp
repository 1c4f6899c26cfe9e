// The bare `accel config`: the interactive wizard. It asks Accelerate's
// questions through the console (arrow-key menus on a terminal, numbered
// prompts otherwise) and writes the answers to `config_file`, or to the
// default path when it is nullopt. Returns the process exit code.
#pragma once

#include <optional>
#include <string>

#include "cli/console.hpp"

namespace accel::cli {

int run_config_wizard(const std::optional<std::string>& config_file, Console& console);

}  // namespace accel::cli
