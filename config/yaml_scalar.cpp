#include "config/yaml_scalar.hpp"

#include <cstdint>
#include <cstdio>
#include <limits>
#include <regex>

namespace accel::config {

namespace {

// PyYAML's implicit resolvers (resolver.py), in the order it tries them.
bool matches(const char* pattern, std::string_view text) {
  // The patterns are few and fixed; compiling per call keeps this simple and
  // config files are tiny.
  const std::regex re(pattern);
  return std::regex_match(text.begin(), text.end(), re);
}

constexpr const char* kBool =
    "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF";
constexpr const char* kFloat = R"([-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?)"
                               R"(|\.[0-9_]+(?:[eE][-+][0-9]+)?)"
                               R"(|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)"
                               R"(|[-+]?\.(?:inf|Inf|INF))"
                               R"(|\.(?:nan|NaN|NAN))";
constexpr const char* kInt =
    R"([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)"
    R"(|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)";
constexpr const char* kNull = "~|null|Null|NULL|";
constexpr const char* kTimestamp =
    R"([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])"
    R"(|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?)"
    R"((?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?)"
    R"((?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)";

// Accumulates digits in `base`, refusing overflow. Underscores are separators.
std::optional<long long> digits_value(std::string_view digits, int base) {
  unsigned long long value = 0;
  bool any = false;
  for (char c : digits) {
    if (c == '_') continue;
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : 99;
    if (digit >= base) return std::nullopt;
    if (value > (std::numeric_limits<unsigned long long>::max() - static_cast<unsigned>(digit)) /
                    static_cast<unsigned>(base)) {
      return std::nullopt;
    }
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
    any = true;
  }
  if (!any || value > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
    return std::nullopt;
  }
  return static_cast<long long>(value);
}

// Decodes one UTF-8 sequence at `text[i]`, advancing `i`; invalid bytes come
// back one at a time as themselves so nothing is dropped.
std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  if (extra == 0 || i + static_cast<std::size_t>(extra) >= text.size()) {
    ++i;
    return lead;
  }
  std::uint32_t cp = lead & (0x3Fu >> extra);
  for (int k = 1; k <= extra; ++k) {
    const unsigned char cont = byte(i + static_cast<std::size_t>(k));
    if ((cont & 0xC0) != 0x80) {
      ++i;
      return lead;
    }
    cp = (cp << 6) | (cont & 0x3Fu);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// PyYAML writes escapes in upper-case hex, Python's json in lower case.
std::string hex_escape(char kind, std::uint32_t cp, int width, bool lower_case = false) {
  char buffer[16];  // "\\U" and at most 8 digits: never truncated
  const int length =
      std::snprintf(buffer, sizeof buffer, lower_case ? "\\%c%0*x" : "\\%c%0*X", kind, width, cp);
  return std::string(buffer, length > 0 ? static_cast<std::size_t>(length) : 0);
}

// PyYAML's emitter (analyze_scalar): may `text` be written plain in block
// context? Only the rules that apply to single-line ASCII text are needed,
// since anything else is double-quoted before we get here.
bool allows_block_plain(std::string_view text) {
  if (text.empty()) return false;
  if (text.starts_with("---") || text.starts_with("...")) return false;
  if (text.front() == ' ' || text.back() == ' ') return false;
  const auto whitespace_at = [&](std::size_t k) { return k >= text.size() || text[k] == ' '; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool followed_by_space = whitespace_at(i + 1);
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) return false;
      if ((c == '?' || c == ':' || c == '-') && followed_by_space) return false;
    } else {
      if (c == ':' && followed_by_space) return false;
      if (c == '#' && text[i - 1] == ' ') return false;
    }
  }
  return true;
}

}  // namespace

ScalarType resolve_plain_scalar(std::string_view text) {
  if (matches(kBool, text)) return ScalarType::kBool;
  if (matches(kFloat, text)) return ScalarType::kFloat;
  if (matches(kInt, text)) return ScalarType::kInt;
  if (text == "<<") return ScalarType::kSpecial;
  if (matches(kNull, text)) return ScalarType::kNull;
  if (matches(kTimestamp, text)) return ScalarType::kTimestamp;
  if (text == "=") return ScalarType::kSpecial;
  return ScalarType::kString;
}

ScalarType scalar_type(const YAML::Node& scalar) {
  if (scalar.IsNull()) return ScalarType::kNull;
  const std::string& tag = scalar.Tag();
  // "?": plain in a loaded file; "": built in code, where a value assigned
  // from a bool or number must come out as one.
  if (tag == "?" || tag.empty()) return resolve_plain_scalar(scalar.Scalar());
  if (tag == "tag:yaml.org,2002:bool") return ScalarType::kBool;
  if (tag == "tag:yaml.org,2002:int") return ScalarType::kInt;
  if (tag == "tag:yaml.org,2002:float") return ScalarType::kFloat;
  if (tag == "tag:yaml.org,2002:null") return ScalarType::kNull;
  return ScalarType::kString;  // "!" (quoted), !!str, and anything we do not know
}

std::optional<bool> parse_yaml_bool(std::string_view text) {
  if (!matches(kBool, text)) return std::nullopt;
  const char first = text.front();
  return first == 'y' || first == 'Y' || first == 't' || first == 'T' ||
         ((first == 'o' || first == 'O') && (text[1] == 'n' || text[1] == 'N'));
}

std::optional<long long> parse_yaml_int(std::string_view text) {
  if (!matches(kInt, text)) return std::nullopt;
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  std::optional<long long> magnitude;
  if (text.starts_with("0b")) {
    magnitude = digits_value(text.substr(2), 2);
  } else if (text.starts_with("0x")) {
    magnitude = digits_value(text.substr(2), 16);
  } else if (text.find(':') != std::string_view::npos) {
    long long total = 0;  // base 60: 1:30 == 90
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t colon = std::min(text.find(':', start), text.size());
      const auto part = digits_value(text.substr(start, colon - start), 10);
      if (!part || total > (std::numeric_limits<long long>::max() - *part) / 60)
        return std::nullopt;
      total = total * 60 + *part;
      start = colon + 1;
    }
    magnitude = total;
  } else if (text.size() > 1 && text.front() == '0') {
    magnitude = digits_value(text.substr(1), 8);
  } else {
    magnitude = digits_value(text, 10);
  }
  if (!magnitude) return std::nullopt;
  return negative ? -*magnitude : *magnitude;
}

std::string yaml_string(std::string_view text) {
  bool needs_double = false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E) needs_double = true;
  }
  if (!needs_double) {
    if (resolve_plain_scalar(text) == ScalarType::kString && allows_block_plain(text)) {
      return std::string(text);
    }
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
  }
  std::string quoted = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const std::uint32_t cp = next_code_point(text, i);
    switch (cp) {
      case 0x00: quoted += "\\0"; continue;
      case 0x07: quoted += "\\a"; continue;
      case 0x08: quoted += "\\b"; continue;
      case 0x09: quoted += "\\t"; continue;
      case 0x0A: quoted += "\\n"; continue;
      case 0x0B: quoted += "\\v"; continue;
      case 0x0C: quoted += "\\f"; continue;
      case 0x0D: quoted += "\\r"; continue;
      case 0x1B: quoted += "\\e"; continue;
      case '"': quoted += "\\\""; continue;
      case '\\': quoted += "\\\\"; continue;
      case 0x85: quoted += "\\N"; continue;
      case 0xA0: quoted += "\\_"; continue;
      case 0x2028: quoted += "\\L"; continue;
      case 0x2029: quoted += "\\P"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
      quoted += static_cast<char>(cp);
    } else if (cp <= 0xFF) {
      quoted += hex_escape('x', cp, 2);
    } else if (cp <= 0xFFFF) {
      quoted += hex_escape('u', cp, 4);
    } else {
      quoted += hex_escape('U', cp, 8);
    }
  }
  return quoted + "\"";
}

std::string json_string(std::string_view text) {
  std::string quoted = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const std::uint32_t cp = next_code_point(text, i);
    switch (cp) {
      case '"': quoted += "\\\""; continue;
      case '\\': quoted += "\\\\"; continue;
      case '\n': quoted += "\\n"; continue;
      case '\r': quoted += "\\r"; continue;
      case '\t': quoted += "\\t"; continue;
      case '\b': quoted += "\\b"; continue;
      case '\f': quoted += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
      quoted += static_cast<char>(cp);
    } else if (cp <= 0xFFFF) {
      quoted += hex_escape('u', cp, 4, true);
    } else {  // a surrogate pair, as Python writes code points above the BMP
      const std::uint32_t v = cp - 0x10000;
      quoted += hex_escape('u', 0xD800 + (v >> 10), 4, true);
      quoted += hex_escape('u', 0xDC00 + (v & 0x3FF), 4, true);
    }
  }
  return quoted + "\"";
}

}  // namespace accel::config
