// The process environment, read in one place. Code that depends on a
// variable takes an EnvLookup (or an Environment map) instead of calling
// getenv, so tests pass the variables they want and never touch the real
// environment of the test process.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accel::base {

// Returns the value of a variable, nullopt when unset (set but empty is "").
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// A whole environment, name -> value, ordered so output built from it is stable.
using Environment = std::map<std::string, std::string, std::less<>>;

// getenv(3) of this process, at the time of each call.
EnvLookup process_environment();

// A snapshot of environ(7). Entries that are not NAME=value are left out.
Environment current_environment();

// Lookups in `env`, which must outlive the returned function.
EnvLookup lookup_in(const Environment& env);

// "NAME=value" entries, as execve wants them.
std::vector<std::string> to_entries(const Environment& env);

// In such an entry list: the NAME of one entry; whether `name` is set; set
// `name` to `value` (replacing the entry, else appending one).
std::string_view entry_name(std::string_view entry);
bool has_entry(const std::vector<std::string>& entries, std::string_view name);
void set_entry(std::vector<std::string>& entries, std::string_view name, std::string_view value);

}  // namespace accel::base
