// The prompter for a human at a terminal: arrow-key menus (↑/↓ move, a digit
// jumps to that option, Enter selects) and an editable answer line for
// yes/no, numbers and text, with the default shown and taken on Enter.
//
// It draws with a few ANSI escapes (cursor up, clear line, colours, hide /
// show cursor) and reads decoded keys, both through the Terminal interface:
// tty.hpp has the real one (raw mode on the process's tty), tests use a fake
// that replays keys and records what was drawn.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/wizard/keys.hpp"
#include "config/wizard/prompter.hpp"

namespace accel::config::wizard {

class Terminal {
 public:
  virtual ~Terminal() = default;
  // The next key. Throws WizardAborted when input ends or a signal arrives
  // while waiting (Ctrl-C itself comes back as Key::Kind::kInterrupt).
  virtual Key read_key() = 0;
  virtual void write(std::string_view text) = 0;
};

class TerminalPrompter : public Prompter {
 public:
  explicit TerminalPrompter(Terminal& terminal) : terminal_(terminal) {}

  std::size_t choose(std::string_view question, const std::vector<std::string>& options,
                     std::size_t default_index) override;
  bool ask_yes_no(std::string_view question, bool default_answer) override;
  std::string ask_text(std::string_view question, const std::optional<std::string>& default_answer,
                       const Validator<std::string>& validate) override;
  void tell(std::string_view message) override;

 private:
  // Shows `prompt`, lets the user edit one line, returns it on Enter.
  std::string read_answer_line(const std::string& prompt);
  void draw_menu_rows(const std::vector<std::string>& options, std::size_t selected);
  // A key that ends the wizard: Ctrl-C or Ctrl-D.
  [[noreturn]] void abort_for(const Key& key);

  Terminal& terminal_;
};

}  // namespace accel::config::wizard
