// Parses an `accel launch` command line the way the real command does
// (bind_launch_flags + prefix_command + finish_launch_options), for tests.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/launch_options.hpp"

namespace accel::cli::testing {

inline LaunchOptions parse_launch(std::vector<std::string> args) {
  CLI::App app{"test"};
  CLI::App* launch = app.add_subcommand("launch");
  launch->prefix_command();
  launch->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  LaunchOptions options;
  bind_launch_flags(*launch, options);
  args.insert(args.begin(), "launch");
  std::vector<const char*> argv{"accel"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  finish_launch_options(*launch, options);
  return options;
}

}  // namespace accel::cli::testing
