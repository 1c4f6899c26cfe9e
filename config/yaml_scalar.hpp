// Scalars the way PyYAML sees them. Accelerate reads config files with
// yaml.safe_load and writes them with yaml.safe_dump, which follow YAML 1.1:
// a plain `no` is the boolean false, `0x10` is the int 16, `2024-01-02` is a
// date, while a quoted 'no' is a string. yaml-cpp keeps every scalar as text
// and only tells plain (tag "?") from quoted (tag "!"), so accel decides the
// type here, with PyYAML's rules, both when reading a file (is this value the
// bool Accelerate would see?) and when writing one (would this string read
// back as something else, so safe_dump would have quoted it?).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace accel::config {

enum class ScalarType { kNull, kBool, kInt, kFloat, kTimestamp, kSpecial, kString };

// The type PyYAML's SafeLoader gives the unquoted text `text` (kSpecial: the
// merge key `<<` and the value key `=`).
ScalarType resolve_plain_scalar(std::string_view text);

// The type of a scalar node: quoted (tag "!") or tagged !!str -> kString;
// plain (tag "?") or built in code (no tag) -> resolve_plain_scalar; other
// standard tags as they say. So code that builds nested maps writes
// `node["offload"] = false` for a bool and calls SetTag("!") on a string that
// must stay a string even though it looks like a bool or number ('no', '0').
ScalarType scalar_type(const YAML::Node& scalar);

// PyYAML's spellings: yes/no/true/false/on/off in lower, Title and UPPER case.
std::optional<bool> parse_yaml_bool(std::string_view text);

// PyYAML's int forms: decimal, 0b binary, 0 octal, 0x hex, base-60 (1:30),
// each with optional sign and `_` separators. nullopt if not an int or if it
// does not fit in 64 bits.
std::optional<long long> parse_yaml_int(std::string_view text);

// `text` as safe_dump writes a string: plain when that reads back as the same
// string, else 'single-quoted', else "double-quoted" with escapes (control
// characters, line breaks, and non-ASCII, since safe_dump does not allow
// unicode by default). Unlike PyYAML, long strings are never folded at 80
// columns; the file reads back the same either way.
std::string yaml_string(std::string_view text);

// `text` as json.dumps writes a string (ensure_ascii: non-ASCII as \uXXXX).
std::string json_string(std::string_view text);

}  // namespace accel::config
