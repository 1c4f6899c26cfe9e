// The streams a subcommand talks to. Subcommands never touch std::cout or
// std::cin directly, so tests can run them against string streams.
#pragma once

#include <iosfwd>

namespace accel::cli {

struct Console {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;   // stdin is a tty: the wizard may use arrow-key menus
  bool out_is_terminal = false;  // stdout is a tty
  bool err_is_terminal = false;  // stderr is a tty: live status lines (accel launch)
};

}  // namespace accel::cli
