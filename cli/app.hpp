// Entry point of the `accel` command line, as a library function so tests can
// drive it without spawning the binary.
#pragma once

#include "cli/console.hpp"

namespace accel::cli {

// Parses argv, runs the chosen subcommand and returns the process exit code
// (see cli/errors.hpp). Never throws.
int main(int argc, const char* const* argv, Console& console);

}  // namespace accel::cli
