#include "config/wizard/prompter.hpp"

#include <string>

#include "config/wizard/answers.hpp"

namespace accel::config::wizard {

// The number is parsed twice (once to validate, once to return) so that
// implementations only ever deal with text answers.

int Prompter::ask_int(std::string_view question, std::optional<int> default_answer,
                      const Validator<int>& validate) {
  std::optional<std::string> default_text;
  if (default_answer) default_text = std::to_string(*default_answer);
  const std::string answer =
      ask_text(question, default_text, [&](const std::string& text) -> std::optional<std::string> {
        const Interpreted<int> number = parse_int(text);
        if (!number.value) return number.error;
        if (validate) return validate(*number.value);
        return std::nullopt;
      });
  return *parse_int(answer).value;
}

double Prompter::ask_float(std::string_view question, std::optional<double> default_answer,
                           const Validator<double>& validate) {
  std::optional<std::string> default_text;
  if (default_answer) default_text = format_float(*default_answer);
  const std::string answer =
      ask_text(question, default_text, [&](const std::string& text) -> std::optional<std::string> {
        const Interpreted<double> number = parse_float(text);
        if (!number.value) return number.error;
        if (validate) return validate(*number.value);
        return std::nullopt;
      });
  return *parse_float(answer).value;
}

}  // namespace accel::config::wizard
