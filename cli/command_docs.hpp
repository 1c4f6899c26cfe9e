// The `accel` command line as plain data, read from the CLI11 app tree that
// parses it, for the files generated from it at build time: the man page and
// the bash, zsh and fish completions (cli/man_page.hpp,
// cli/shell_completion.hpp). Reading the tree, not a second list, is what
// keeps them from drifting: a flag added to a subcommand is documented and
// completed by the next build.
//
// Hidden parts are left out: subcommands and options whose help group is ""
// (the workers `accel test` and `accel bench` run, the generator itself).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace accel::cli {

struct OptionDoc {
  // Every spelling, as typed: "-q", "--quiet"; "--num_processes",
  // "--num-processes". Short names first, then long ones in CLI11's order.
  std::vector<std::string> names;
  std::string value_name;            // "INT", "TEXT", ...; empty for a flag
  std::vector<std::string> choices;  // the accepted values, where a check lists them
  std::string description;
  std::string group;  // the help heading it is listed under

  bool takes_value() const { return !value_name.empty(); }
};

struct PositionalDoc {
  std::string name;
  std::string description;
  bool required = false;
  bool repeats = false;  // takes several values
};

struct CommandDoc {
  std::vector<std::string> path;  // {"accel", "config", "default"}
  std::string description;
  std::string footer;
  std::vector<OptionDoc> options;  // --help (and --version) included
  std::vector<PositionalDoc> positionals;
  // Everything after the first non-option word belongs to a program this
  // command runs (`accel launch script.py args...`).
  bool runs_program = false;
  std::vector<CommandDoc> subcommands;

  std::string name() const { return path.empty() ? std::string() : path.back(); }
  std::string full_name() const;  // "accel config default"
};

CommandDoc describe_command_line(const CLI::App& app);

// Every command of the tree, the root first, depth first in help order.
std::vector<const CommandDoc*> all_commands(const CommandDoc& root);

}  // namespace accel::cli
