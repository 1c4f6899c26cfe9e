// accel(1), written from the command line's own description (CommandDoc) so
// every subcommand and flag `accel` parses is documented; the sections no
// parser knows (environment, files, examples) are prose kept in
// man_page.cpp. Output is roff for man(1), generated at build time by the
// hidden `accel __generate man` (packaging/shell_files.cmake).
#pragma once

#include <iosfwd>
#include <string_view>

#include "cli/command_docs.hpp"

namespace accel::cli {

void write_man_page(const CommandDoc& root, std::string_view version, std::ostream& out);

}  // namespace accel::cli
