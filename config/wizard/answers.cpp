#include "config/wizard/answers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace accel::config::wizard {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

template <typename T>
Interpreted<T> accepted(T value) {
  return Interpreted<T>{std::move(value), {}};
}

template <typename T>
Interpreted<T> rejected(std::string reason) {
  return Interpreted<T>{std::nullopt, std::move(reason)};
}

}  // namespace

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

Interpreted<std::size_t> interpret_choice(std::string_view answer,
                                          const std::vector<std::string>& options,
                                          std::size_t default_index) {
  const std::string_view text = trim(answer);
  if (text.empty()) return accepted(default_index);
  // The option's text first: for menus of numbers ("1", "2" for the FSDP
  // version) typing the value means the value, not the position.
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (equals_ignoring_case(text, options[i])) return accepted(i);
  }
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec == std::errc() && end == text.data() + text.size() && index < options.size()) {
    return accepted(index);
  }
  return rejected<std::size_t>("Please enter a number from 0 to " +
                               std::to_string(options.size() - 1) +
                               " or the text of one of the options.");
}

Interpreted<bool> interpret_yes_no(std::string_view answer, bool default_answer) {
  const std::string_view text = trim(answer);
  if (text.empty()) return accepted(default_answer);
  if (equals_ignoring_case(text, "y") || equals_ignoring_case(text, "yes")) return accepted(true);
  if (equals_ignoring_case(text, "n") || equals_ignoring_case(text, "no")) return accepted(false);
  return rejected<bool>("Please enter yes or no.");
}

Interpreted<std::string> interpret_text(std::string_view answer,
                                        const std::optional<std::string>& default_answer,
                                        const Validator<std::string>& validate) {
  std::string text(trim(answer));
  if (text.empty()) {
    if (!default_answer) return rejected<std::string>("An answer is required.");
    text = *default_answer;
  }
  if (validate) {
    if (auto reason = validate(text)) return rejected<std::string>(std::move(*reason));
  }
  return accepted(std::move(text));
}

Interpreted<int> parse_int(std::string_view text) {
  text = trim(text);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return rejected<int>("'" + std::string(text) + "' is too large.");
  }
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return rejected<int>("'" + std::string(text) + "' is not a whole number.");
  }
  return accepted(value);
}

Interpreted<double> parse_float(std::string_view text) {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return rejected<double>("'" + std::string(text) + "' is not a number.");
  }
  return accepted(value);
}

std::string yes_no_hint(bool default_answer) {
  return default_answer ? "[YES/no]" : "[yes/NO]";
}

std::string format_float(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  // Shortest round-trip form; add ".0" to whole numbers as Python prints them.
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

}  // namespace accel::config::wizard
