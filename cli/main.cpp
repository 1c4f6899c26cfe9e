#include <unistd.h>

#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  accel::cli::Console console{std::cin,
                              std::cout,
                              std::cerr,
                              isatty(STDIN_FILENO) == 1,
                              isatty(STDOUT_FILENO) == 1,
                              isatty(STDERR_FILENO) == 1};
  return accel::cli::main(argc, argv, console);
}
