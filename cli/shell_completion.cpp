#include "cli/shell_completion.hpp"

#include <array>

namespace accel::cli {

std::string first_line(std::string_view description) {
  std::string_view line = description.substr(0, description.find('\n'));
  // A menu row: the first clause of the first line, cut at a word when long.
  for (const std::string_view stop : {". ", ": ", "; ", " -- "}) {
    line = line.substr(0, line.find(stop));
  }
  constexpr std::size_t kMenuWidth = 80;
  if (line.size() <= kMenuWidth) return std::string(line);
  const std::size_t space = line.rfind(' ', kMenuWidth);
  return std::string(line.substr(0, space == std::string_view::npos ? kMenuWidth : space)) + "...";
}

bool completes_file_names(const OptionDoc& option) {
  // The type names of values no file name can be.
  constexpr std::array<std::string_view, 7> kNotFiles = {"INT",  "UINT", "FLOAT", "SECONDS",
                                                         "ADDR", "PORT", "TOKEN"};
  if (!option.takes_value() || !option.choices.empty()) return false;
  for (const std::string_view name : kNotFiles) {
    if (option.value_name == name) return false;
  }
  return true;
}

}  // namespace accel::cli
