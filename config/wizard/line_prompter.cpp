#include "config/wizard/line_prompter.hpp"

#include <istream>
#include <ostream>
#include <string>

#include "config/wizard/answers.hpp"

namespace accel::config::wizard {

std::optional<std::string> StreamLineReader::read_line() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();  // a file written on Windows
  return line;
}

std::string LinePrompter::read_answer(const std::string& prompt) {
  out_ << prompt << std::flush;
  std::optional<std::string> line = reader_.read_line();
  if (!line) {
    out_ << "\n" << std::flush;
    throw WizardAborted::end_of_input();
  }
  out_ << *line << "\n";
  return std::move(*line);
}

std::size_t LinePrompter::choose(std::string_view question, const std::vector<std::string>& options,
                                 std::size_t default_index) {
  out_ << "\n" << question << "\n";
  for (std::size_t i = 0; i < options.size(); ++i) {
    out_ << "  " << i << ") " << options[i] << "\n";
  }
  const std::string prompt =
      "Enter a number or an option [" + std::to_string(default_index) + "]: ";
  for (;;) {
    const Interpreted<std::size_t> answer =
        interpret_choice(read_answer(prompt), options, default_index);
    if (answer.value) return *answer.value;
    out_ << answer.error << "\n";
  }
}

bool LinePrompter::ask_yes_no(std::string_view question, bool default_answer) {
  const std::string prompt = std::string(question) + " " + yes_no_hint(default_answer) + ": ";
  for (;;) {
    const Interpreted<bool> answer = interpret_yes_no(read_answer(prompt), default_answer);
    if (answer.value) return *answer.value;
    out_ << answer.error << "\n";
  }
}

std::string LinePrompter::ask_text(std::string_view question,
                                   const std::optional<std::string>& default_answer,
                                   const Validator<std::string>& validate) {
  const std::string prompt =
      std::string(question) + (default_answer ? " [" + *default_answer + "]: " : " ");
  for (;;) {
    Interpreted<std::string> answer = interpret_text(read_answer(prompt), default_answer, validate);
    if (answer.value) return std::move(*answer.value);
    out_ << answer.error << "\n";
  }
}

void LinePrompter::tell(std::string_view message) {
  out_ << message << "\n";
}

}  // namespace accel::config::wizard
