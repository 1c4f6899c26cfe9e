#include "cli/shell_completion.hpp"

#include <array>

namespace accel::cli {

std::string first_line(std::string_view description) {
  return std::string(description.substr(0, description.find('\n')));
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
