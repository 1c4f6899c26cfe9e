// The prompter for scripts: stdin is a pipe or a file, so every answer is a
// line. Menus are printed numbered (from 0, the same numbers as the terminal
// menu's digit keys) and accept the number or the option's text. Each answer
// read is echoed after its prompt, so the output reads as a transcript.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "config/wizard/prompter.hpp"

namespace accel::config::wizard {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next line without its line ending; nullopt at end of input. Throws
  // WizardAborted::signal when a signal interrupts the wait.
  virtual std::optional<std::string> read_line() = 0;
};

// Lines from a std::istream (tests; anything that is not the process's stdin).
class StreamLineReader : public LineReader {
 public:
  explicit StreamLineReader(std::istream& in) : in_(in) {}
  std::optional<std::string> read_line() override;

 private:
  std::istream& in_;
};

class LinePrompter : public Prompter {
 public:
  LinePrompter(LineReader& reader, std::ostream& out) : reader_(reader), out_(out) {}

  std::size_t choose(std::string_view question, const std::vector<std::string>& options,
                     std::size_t default_index) override;
  bool ask_yes_no(std::string_view question, bool default_answer) override;
  std::string ask_text(std::string_view question, const std::optional<std::string>& default_answer,
                       const Validator<std::string>& validate) override;
  void tell(std::string_view message) override;

 private:
  // Prints the prompt, reads and echoes a line; throws at end of input.
  std::string read_answer(const std::string& prompt);

  LineReader& reader_;
  std::ostream& out_;
};

}  // namespace accel::config::wizard
