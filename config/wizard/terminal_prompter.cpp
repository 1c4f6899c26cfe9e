#include "config/wizard/terminal_prompter.hpp"

#include <csignal>
#include <string>

#include "config/wizard/answers.hpp"

namespace accel::config::wizard {

namespace {

constexpr std::string_view kHideCursor = "\x1b[?25l";
constexpr std::string_view kShowCursor = "\x1b[?25h";
constexpr std::string_view kClearLine = "\r\x1b[2K";
constexpr std::string_view kClearToEnd = "\r\x1b[J";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";

std::string cursor_up(std::size_t rows) {
  return "\x1b[" + std::to_string(rows) + "A";
}

// Shows the cursor again however the menu is left (selection, Ctrl-C, end of
// input, an exception from the terminal), so the user's shell is not left
// without one.
class HiddenCursor {
 public:
  explicit HiddenCursor(Terminal& terminal) : terminal_(terminal) { terminal_.write(kHideCursor); }
  ~HiddenCursor() {
    try {
      terminal_.write(kShowCursor);
    } catch (...) {  // the terminal is gone; nothing left to restore
    }
  }
  HiddenCursor(const HiddenCursor&) = delete;
  HiddenCursor& operator=(const HiddenCursor&) = delete;

 private:
  Terminal& terminal_;
};

// Removes the last UTF-8 character (a lead byte and its continuation bytes).
void erase_last_character(std::string& line) {
  while (!line.empty()) {
    const auto byte = static_cast<unsigned char>(line.back());
    line.pop_back();
    if ((byte & 0xC0) != 0x80) break;  // not a continuation byte: character done
  }
}

}  // namespace

void TerminalPrompter::abort_for(const Key& key) {
  terminal_.write("\n");
  if (key.kind == Key::Kind::kInterrupt) throw WizardAborted::signal(SIGINT);
  throw WizardAborted::end_of_input();
}

void TerminalPrompter::draw_menu_rows(const std::vector<std::string>& options,
                                      std::size_t selected) {
  std::string rows;
  for (std::size_t i = 0; i < options.size(); ++i) {
    rows += kClearLine;
    if (i == selected) {
      rows += " ➔ " + std::string(kGreen) + options[i] + std::string(kReset);
    } else {
      rows += "    " + options[i];
    }
    rows += "\n";
  }
  terminal_.write(rows);
}

std::size_t TerminalPrompter::choose(std::string_view question,
                                     const std::vector<std::string>& options,
                                     std::size_t default_index) {
  terminal_.write("\n" + std::string(question) + "\n" + std::string(kDim) +
                  "(↑/↓ or a number to move, Enter to select)" + std::string(kReset) + "\n");
  HiddenCursor hidden(terminal_);
  std::size_t selected = default_index < options.size() ? default_index : 0;
  draw_menu_rows(options, selected);
  // Invariant: the cursor sits on the line below the last option, so a
  // redraw moves up options.size() rows and rewrites them all.
  for (;;) {
    const Key key = terminal_.read_key();
    std::size_t wanted = selected;
    switch (key.kind) {
      case Key::Kind::kUp: wanted = selected > 0 ? selected - 1 : selected; break;
      case Key::Kind::kDown:
        wanted = selected + 1 < options.size() ? selected + 1 : selected;
        break;
      case Key::Kind::kText:
        if (key.text >= '0' && key.text <= '9') {
          const auto digit = static_cast<std::size_t>(key.text - '0');
          if (digit < options.size()) wanted = digit;
        }
        break;
      case Key::Kind::kEnter:
        // Collapse the menu to the chosen option, as Accelerate does.
        terminal_.write(cursor_up(options.size() + 1) + std::string(kClearToEnd) +
                        std::string(kGreen) + options[selected] + std::string(kReset) + "\n");
        return selected;
      case Key::Kind::kInterrupt:
      case Key::Kind::kEndOfInput: abort_for(key);
      default: break;
    }
    if (wanted != selected) {
      selected = wanted;
      terminal_.write(cursor_up(options.size()));
      draw_menu_rows(options, selected);
    }
  }
}

std::string TerminalPrompter::read_answer_line(const std::string& prompt) {
  terminal_.write(prompt);
  std::string line;
  for (;;) {
    const Key key = terminal_.read_key();
    switch (key.kind) {
      case Key::Kind::kText:
        line += key.text;
        terminal_.write(std::string_view(&key.text, 1));
        break;
      case Key::Kind::kBackspace:
        if (!line.empty()) {
          erase_last_character(line);
          terminal_.write("\b \b");
        }
        break;
      case Key::Kind::kClearLine:
        line.clear();
        terminal_.write(std::string(kClearLine) + prompt);
        break;
      case Key::Kind::kEnter: terminal_.write("\n"); return line;
      case Key::Kind::kInterrupt: abort_for(key);
      case Key::Kind::kEndOfInput:
        if (line.empty()) abort_for(key);  // like a shell: Ctrl-D ends input only on an empty line
        break;
      default: break;
    }
  }
}

bool TerminalPrompter::ask_yes_no(std::string_view question, bool default_answer) {
  const std::string prompt = std::string(question) + " " + yes_no_hint(default_answer) + ": ";
  for (;;) {
    const Interpreted<bool> answer = interpret_yes_no(read_answer_line(prompt), default_answer);
    if (answer.value) return *answer.value;
    terminal_.write(std::string(kRed) + answer.error + std::string(kReset) + "\n");
  }
}

std::string TerminalPrompter::ask_text(std::string_view question,
                                       const std::optional<std::string>& default_answer,
                                       const Validator<std::string>& validate) {
  const std::string prompt =
      std::string(question) + (default_answer ? " [" + *default_answer + "]: " : " ");
  for (;;) {
    Interpreted<std::string> answer =
        interpret_text(read_answer_line(prompt), default_answer, validate);
    if (answer.value) return std::move(*answer.value);
    terminal_.write(std::string(kRed) + answer.error + std::string(kReset) + "\n");
  }
}

void TerminalPrompter::tell(std::string_view message) {
  terminal_.write(std::string(message) + "\n");
}

}  // namespace accel::config::wizard
