#include "supervisor/line_prefix.hpp"

#include <stdexcept>

namespace accel::supervisor {

namespace {

bool starts_identifier(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool continues_identifier(char c) {
  return starts_identifier(c) || (c >= '0' && c <= '9');
}

// The value of placeholder `name`, or nullopt for a name the template may
// not use.
std::optional<std::string> value_of(std::string_view name, const LinePrefixFields& fields) {
  if (name == "rank") return std::to_string(fields.rank);
  if (name == "local_rank") return std::to_string(fields.local_rank);
  if (name == "role_name") return std::string(fields.role_name);
  if (name == "host") return std::string(fields.host);
  return std::nullopt;
}

// One pass for both jobs: expands into `out` and returns nullopt, or returns
// the first problem.
std::optional<std::string> expand(std::string_view text, const LinePrefixFields& fields,
                                  std::string& out) {
  const auto problem = [&](std::size_t at, const std::string& what) {
    return what + " at offset " + std::to_string(at) +
           "; use ${rank}, ${local_rank}, ${role_name} or ${host}, and $$ "
           "for a literal $";
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t dollar = text.find('$', i);
    out.append(text.substr(i, dollar == std::string_view::npos ? text.npos : dollar - i));
    if (dollar == std::string_view::npos) break;
    std::size_t next = dollar + 1;
    std::string_view name;
    if (next < text.size() && text[next] == '$') {
      out.push_back('$');
      i = next + 1;
      continue;
    }
    if (next < text.size() && text[next] == '{') {
      const std::size_t close = text.find('}', next + 1);
      if (close == std::string_view::npos) return problem(dollar, "an unclosed ${");
      name = text.substr(next + 1, close - next - 1);
      i = close + 1;
    } else {
      std::size_t end = next;
      if (end < text.size() && starts_identifier(text[end])) {
        while (end < text.size() && continues_identifier(text[end])) ++end;
      }
      name = text.substr(next, end - next);
      if (name.empty()) return problem(dollar, "a $ that starts no placeholder");
      i = end;
    }
    const std::optional<std::string> value = value_of(name, fields);
    if (!value) return problem(dollar, "unknown placeholder '" + std::string(name) + "'");
    out.append(*value);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> line_prefix_problem(std::string_view line_prefix_template) {
  std::string ignored;
  return expand(line_prefix_template, LinePrefixFields{}, ignored);
}

std::string expand_line_prefix(std::string_view line_prefix_template,
                               const LinePrefixFields& fields) {
  std::string prefix;
  if (auto problem = expand(line_prefix_template, fields, prefix)) {
    throw std::invalid_argument("log line prefix template '" + std::string(line_prefix_template) +
                                "': " + *problem);
  }
  return prefix;
}

}  // namespace accel::supervisor
