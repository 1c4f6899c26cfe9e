// Shell completion scripts for `accel`, written from the command line's own
// description (CommandDoc), so every subcommand and flag completes and none
// is stale. Generated at build time by the hidden `accel __generate
// bash|zsh|fish` and installed where each shell looks
// (packaging/shell_files.cmake):
//   bash  share/bash-completion/completions/accel
//   zsh   share/zsh/site-functions/_accel
//   fish  share/fish/vendor_completions.d/accel.fish
//
// All three complete subcommands, the flags of the command typed so far
// (every spelling), the listed values of a flag that has them, and file
// names for other values and for the program `accel launch` runs.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "cli/command_docs.hpp"

namespace accel::cli {

void write_bash_completion(const CommandDoc& root, std::ostream& out);
void write_zsh_completion(const CommandDoc& root, std::ostream& out);
void write_fish_completion(const CommandDoc& root, std::ostream& out);

// Shared by the writers: the first clause of a help text, which is all a
// completion menu has room for (at most about 80 characters); and whether an option's value is best
// completed with file names (not a number, not a listed choice).
std::string first_line(std::string_view description);
bool completes_file_names(const OptionDoc& option);

}  // namespace accel::cli
