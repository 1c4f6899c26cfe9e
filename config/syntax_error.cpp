#include "config/syntax_error.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace accel::config {

namespace {

// yaml-cpp's messages (yaml-cpp/exceptions.h ErrorMsg) for the mistakes people
// make in hand-edited configs, and what the parser was expecting instead.
constexpr auto kExplanations = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"illegal map value",
     "a ':' where no value can start; expected `key: value` with the key at the indentation "
     "of its siblings (quote values that contain ': ')"},
    {"end of map not found",
     "expected the next `key: value` line at the same indentation as the keys above it"},
    {"end of map flow not found",
     "expected ',' or '}' in this {...} map (JSON object); is a comma or a ':' missing?"},
    {"end of sequence not found",
     "expected the next `- item` line at the same indentation as the items above it"},
    {"end of sequence flow not found", "expected ',' or ']' in this [...] list"},
    {"illegal map key", "expected a plain `key:`; keys cannot start with '?' here"},
    {"illegal block entry", "a '- ' list item where a `key: value` line was expected"},
    {"illegal flow end", "a closing ']' or '}' without its opening bracket"},
    {"illegal EOF in scalar", "the file ends inside a quoted value; add the closing quote"},
    {"illegal tab when looking for indentation",
     "a tab in the indentation; YAML indents with spaces only"},
    {"unknown token", "expected a key, a value or a list item"},
    {"illegal character in scalar", "expected the value to end here; quote it"},
});

}  // namespace

Diagnostic syntax_error(const std::string& file, const YAML::ParserException& error) {
  std::string message = "malformed YAML: ";
  std::string_view explanation;
  for (const auto& [library_text, words] : kExplanations) {
    if (error.msg.starts_with(library_text)) explanation = words;
  }
  if (explanation.empty()) {
    message += error.msg + "; fix the syntax at this position";
  } else {
    message += std::string(explanation) + " (" + error.msg + ")";
  }
  const bool positioned = error.mark.line >= 0 && error.mark.column >= 0;
  return Diagnostic{file, positioned ? error.mark.line + 1 : 0,
                    positioned ? error.mark.column + 1 : 0, "", message};
}

}  // namespace accel::config
