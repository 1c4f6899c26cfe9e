// The prefix of each forwarded output line from torchrun's
// --log_line_prefix_template: Python string.Template syntax, so a template
// written for torchrun works here. A placeholder is ${name} or $name; $$ is
// a literal $. The names are torchrun's ${rank} (global rank), ${local_rank}
// and ${role_name}, plus accel's ${host} (the machine's name). Any other
// name, or a $ that starts no placeholder, makes the template invalid:
// line_prefix_problem says why, so the caller can tell the user before
// anything runs.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace accel::supervisor {

// What a template's placeholders stand for, for one worker.
struct LinePrefixFields {
  int rank = 0;
  int local_rank = 0;
  std::string_view role_name;
  std::string_view host;
};

// Why `line_prefix_template` is invalid (naming the placeholder and where it
// is, and what is allowed; the caller names the template), or nullopt when
// it is valid.
std::optional<std::string> line_prefix_problem(std::string_view line_prefix_template);

// The template with every placeholder filled in. Throws std::invalid_argument
// (line_prefix_problem's message) for an invalid template.
std::string expand_line_prefix(std::string_view line_prefix_template,
                               const LinePrefixFields& fields);

}  // namespace accel::supervisor
