#include "base/environment.hpp"

#include <algorithm>

#include <cstdlib>

extern char** environ;

namespace accel::base {

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Environment current_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) continue;  // not ours to pass on
    env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

EnvLookup lookup_in(const Environment& env) {
  return [&env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> to_entries(const Environment& env) {
  std::vector<std::string> entries;
  entries.reserve(env.size());
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

std::string_view entry_name(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

bool has_entry(const std::vector<std::string>& entries, std::string_view name) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const std::string& entry) { return entry_name(entry) == name; });
}

void set_entry(std::vector<std::string>& entries, std::string_view name, std::string_view value) {
  std::string assignment = std::string(name) + "=" + std::string(value);
  for (std::string& entry : entries) {
    if (entry_name(entry) == name) {
      entry = std::move(assignment);
      return;
    }
  }
  entries.push_back(std::move(assignment));
}

}  // namespace accel::base
