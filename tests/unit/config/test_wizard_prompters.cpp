// The wizard's prompters without a tty: the answer rules, the line prompter
// over string streams, and the terminal prompter over a fake terminal that
// replays key bytes and records what was drawn.
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>

#include "config/wizard/answers.hpp"
#include "config/wizard/keys.hpp"
#include "config/wizard/line_prompter.hpp"
#include "config/wizard/terminal_prompter.hpp"

using namespace accel::config::wizard;

namespace {

const std::vector<std::string> kMachineTypes = {"No distributed training", "multi-CPU",
                                                "multi-GPU"};

// Key bytes as a terminal in raw mode sends them.
constexpr const char* kUp = "\x1b[A";
constexpr const char* kDown = "\x1b[B";
constexpr const char* kCtrlC = "\x03";
constexpr const char* kCtrlD = "\x04";
constexpr const char* kBackspace = "\x7f";

class BytesFromString : public ByteSource {
 public:
  explicit BytesFromString(std::string bytes) : bytes_(std::move(bytes)) {}
  std::optional<unsigned char> next(bool wait) override {
    if (position_ == bytes_.size()) {
      if (wait) throw WizardAborted::end_of_input();
      return std::nullopt;  // as if nothing arrived before the escape timeout
    }
    return static_cast<unsigned char>(bytes_[position_++]);
  }

 private:
  std::string bytes_;
  std::size_t position_ = 0;
};

class FakeTerminal : public Terminal {
 public:
  explicit FakeTerminal(std::string keys) : bytes_(std::move(keys)) {}
  Key read_key() override { return decode_key(bytes_); }
  void write(std::string_view text) override { drawn += text; }
  std::string drawn;

 private:
  BytesFromString bytes_;
};

template <typename Ask>
WizardAborted::Reason abort_reason(Ask ask) {
  try {
    ask();
  } catch (const WizardAborted& aborted) {
    return aborted.reason();
  }
  FAIL("the prompt returned instead of aborting");
  return WizardAborted::Reason::kDeclined;
}

}  // namespace

TEST_CASE("wizard answers: yes/no accepts y, yes, n, no in any case", "[wizard]") {
  for (const char* yes : {"y", "Y", "yes", "YES", " Yes "})
    CHECK(*interpret_yes_no(yes, false).value);
  for (const char* no : {"n", "N", "no", "No"}) CHECK_FALSE(*interpret_yes_no(no, true).value);
  CHECK(*interpret_yes_no("", true).value);
  CHECK_FALSE(*interpret_yes_no("  ", false).value);
  const Interpreted<bool> bad = interpret_yes_no("yep", false);
  CHECK_FALSE(bad.value);
  CHECK(bad.error == "Please enter yes or no.");
}

TEST_CASE("wizard answers: a menu takes the option text, its number or the default", "[wizard]") {
  CHECK(*interpret_choice("", kMachineTypes, 2).value == 2);
  CHECK(*interpret_choice("1", kMachineTypes, 0).value == 1);
  CHECK(*interpret_choice("MULTI-gpu", kMachineTypes, 0).value == 2);
  CHECK(*interpret_choice("2", {"1", "2"}, 0).value == 1);  // text before position
  CHECK(*interpret_choice("0", {"1", "2"}, 1).value == 0);
  const Interpreted<std::size_t> bad = interpret_choice("3", kMachineTypes, 0);
  CHECK_FALSE(bad.value);
  CHECK(bad.error == "Please enter a number from 0 to 2 or the text of one of the options.");
}

TEST_CASE("wizard answers: numbers are parsed strictly", "[wizard]") {
  CHECK(*parse_int(" 42 ").value == 42);
  CHECK(*parse_int("-1").value == -1);
  CHECK(parse_int("1e8").error == "'1e8' is not a whole number.");
  CHECK(parse_int("4 GPUs").error == "'4 GPUs' is not a whole number.");
  CHECK(parse_int("99999999999").error == "'99999999999' is too large.");
  CHECK(*parse_float("0.5").value == 0.5);
  CHECK(*parse_float("1e-3").value == 0.001);
  CHECK(parse_float("nan").error == "'nan' is not a number.");
  CHECK(format_float(1.0) == "1.0");
  CHECK(format_float(0.25) == "0.25");
}

TEST_CASE("wizard answers: text without a default must be given", "[wizard]") {
  CHECK(interpret_text("  ", std::nullopt, {}).error == "An answer is required.");
  CHECK(*interpret_text("", std::string("all"), {}).value == "all");
  CHECK(*interpret_text("  10.0.0.1 ", std::nullopt, {}).value == "10.0.0.1");
}

TEST_CASE("wizard keys: arrows, Enter, control keys and unknown sequences", "[wizard]") {
  BytesFromString bytes(std::string(kUp) + kDown + "\x1bOA" + "\r" + "\n" + kCtrlC + kCtrlD +
                        kBackspace + "\x1b[1;5A" + "\x1b" + "x");
  CHECK(decode_key(bytes).kind == Key::Kind::kUp);
  CHECK(decode_key(bytes).kind == Key::Kind::kDown);
  CHECK(decode_key(bytes).kind == Key::Kind::kUp);  // application cursor mode
  CHECK(decode_key(bytes).kind == Key::Kind::kEnter);
  CHECK(decode_key(bytes).kind == Key::Kind::kEnter);
  CHECK(decode_key(bytes).kind == Key::Kind::kInterrupt);
  CHECK(decode_key(bytes).kind == Key::Kind::kEndOfInput);
  CHECK(decode_key(bytes).kind == Key::Kind::kBackspace);
  CHECK(decode_key(bytes).kind == Key::Kind::kIgnored);  // Ctrl-Up
  CHECK(decode_key(bytes).kind == Key::Kind::kIgnored);  // Alt-x: ESC then a non-sequence byte
}

TEST_CASE("wizard line prompter: numbered menu, answers echoed, bad answers re-asked", "[wizard]") {
  std::istringstream in("4\nmulti-CPU\n");
  std::ostringstream out;
  StreamLineReader reader(in);
  LinePrompter prompter(reader, out);
  CHECK(prompter.choose("Which type of machine are you using?", kMachineTypes, 0) == 1);
  CHECK(out.str() ==
        "\nWhich type of machine are you using?\n"
        "  0) No distributed training\n"
        "  1) multi-CPU\n"
        "  2) multi-GPU\n"
        "Enter a number or an option [0]: 4\n"
        "Please enter a number from 0 to 2 or the text of one of the options.\n"
        "Enter a number or an option [0]: multi-CPU\n");
}

TEST_CASE("wizard line prompter: defaults, yes/no and numbers", "[wizard]") {
  std::istringstream in("\nmaybe\nYES\nabc\n\r\n");
  std::ostringstream out;
  StreamLineReader reader(in);
  LinePrompter prompter(reader, out);
  CHECK(prompter.choose("Machine?", kMachineTypes, 2) == 2);
  CHECK(prompter.ask_yes_no("Debug?", false));
  CHECK(prompter.ask_int("How many?", 3) == 3);
  CHECK(out.str().find("Debug? [yes/NO]: maybe\nPlease enter yes or no.\nDebug? [yes/NO]: YES\n") !=
        std::string::npos);
  CHECK(out.str().find("How many? [3]: abc\n'abc' is not a whole number.\nHow many? [3]: \n") !=
        std::string::npos);
}

TEST_CASE("wizard line prompter: end of input aborts", "[wizard]") {
  std::istringstream in("yes\n");
  std::ostringstream out;
  StreamLineReader reader(in);
  LinePrompter prompter(reader, out);
  CHECK(prompter.ask_yes_no("First?", false));
  CHECK(abort_reason([&] { prompter.ask_yes_no("Second?", false); }) ==
        WizardAborted::Reason::kEndOfInput);
}

TEST_CASE("wizard line prompter: a last line without a newline still counts", "[wizard]") {
  std::istringstream in("bf16");
  std::ostringstream out;
  StreamLineReader reader(in);
  LinePrompter prompter(reader, out);
  CHECK(prompter.choose("Precision?", {"no", "fp16", "bf16", "fp8"}, 0) == 2);
}

TEST_CASE("wizard terminal prompter: arrows move, Enter selects, the menu collapses", "[wizard]") {
  FakeTerminal terminal(std::string(kDown) + kDown + kDown + kUp + kDown + "\r");
  TerminalPrompter prompter(terminal);
  CHECK(prompter.choose("Which type of machine are you using?", kMachineTypes, 0) == 2);
  // The selection is drawn with the arrow, and the cursor comes back.
  CHECK(terminal.drawn.find(" ➔ \x1b[32mmulti-GPU") != std::string::npos);
  CHECK(terminal.drawn.find("\x1b[?25l") != std::string::npos);
  CHECK(terminal.drawn.rfind("\x1b[?25h") > terminal.drawn.rfind("\x1b[?25l"));
  // After Enter only the chosen option stays under the question.
  CHECK(terminal.drawn.substr(terminal.drawn.rfind("\x1b[J")) ==
        "\x1b[J\x1b[32mmulti-GPU\x1b[0m\n\x1b[?25h");
}

TEST_CASE("wizard terminal prompter: a digit jumps, the default is pre-selected", "[wizard]") {
  FakeTerminal by_digit("1\r");
  TerminalPrompter digit_prompter(by_digit);
  CHECK(digit_prompter.choose("Machine?", kMachineTypes, 0) == 1);

  FakeTerminal by_enter("9\r");  // out of range: ignored
  TerminalPrompter enter_prompter(by_enter);
  CHECK(enter_prompter.choose("Machine?", kMachineTypes, 2) == 2);
}

TEST_CASE("wizard terminal prompter: Ctrl-C and Ctrl-D abort and restore the cursor", "[wizard]") {
  FakeTerminal interrupted(std::string(kDown) + kCtrlC);
  TerminalPrompter prompter(interrupted);
  try {
    prompter.choose("Machine?", kMachineTypes, 0);
    FAIL("Ctrl-C did not abort");
  } catch (const WizardAborted& aborted) {
    CHECK(aborted.reason() == WizardAborted::Reason::kSignal);
    CHECK(aborted.signal_number() == 2);
  }
  CHECK(interrupted.drawn.rfind("\x1b[?25h") > interrupted.drawn.rfind("\x1b[?25l"));

  FakeTerminal ended(kCtrlD);
  TerminalPrompter end_prompter(ended);
  CHECK(abort_reason([&] { end_prompter.ask_yes_no("Debug?", false); }) ==
        WizardAborted::Reason::kEndOfInput);
}

TEST_CASE("wizard terminal prompter: answer line editing and re-asking", "[wizard]") {
  // "nope" rejected; then "yex", backspace, "s" -> "yes".
  FakeTerminal terminal(std::string("nope\r") + "yex" + kBackspace + "s\r");
  TerminalPrompter prompter(terminal);
  CHECK(prompter.ask_yes_no("Debug?", false));
  CHECK(terminal.drawn.find("Debug? [yes/NO]: nope\n\x1b[31mPlease enter yes or no.\x1b[0m\n") !=
        std::string::npos);
  CHECK(terminal.drawn.find("yex\b \bs\n") != std::string::npos);
}

TEST_CASE("wizard terminal prompter: Enter takes the shown default; Ctrl-D mid-line is ignored",
          "[wizard]") {
  FakeTerminal terminal(std::string("\r") + "0," + kCtrlD + "1\r");
  TerminalPrompter prompter(terminal);
  CHECK(prompter.ask_int("How many?", 8) == 8);
  CHECK(prompter.ask_text("Ids?", std::string("all"), {}) == "0,1");
  CHECK(terminal.drawn.find("How many? [8]: ") != std::string::npos);
}
