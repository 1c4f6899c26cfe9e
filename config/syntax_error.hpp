// Turns a yaml-cpp parse failure into a message a user can act on: the
// position plus what the parser expected there, in words, rather than the
// library's terse exception text alone.
#pragma once

#include <string>

#include <yaml-cpp/exceptions.h>

#include "config/diagnostic.hpp"

namespace accel::config {

Diagnostic syntax_error(const std::string& file, const YAML::ParserException& error);

}  // namespace accel::config
