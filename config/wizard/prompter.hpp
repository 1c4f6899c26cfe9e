// The wizard's prompt engine: how a question reaches the user and an answer
// comes back. The question flow (questions.hpp) talks only to Prompter, so it
// is tested with a scripted fake instead of a terminal.
//
// Contract shared by every implementation:
//  - A question shows its default; an empty answer takes it.
//  - An answer that does not parse or that the validator rejects is asked
//    again, after telling the user the reason.
//  - End of input throws WizardAborted (kEndOfInput); Ctrl-C, or SIGINT,
//    SIGTERM, SIGHUP while waiting for input, throws WizardAborted (kSignal).
//    Nothing has been written at that point: the caller saves only after the
//    whole flow returned.
// Not thread-safe; one Prompter per wizard run.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace accel::config::wizard {

// Why the wizard stopped before the end. Thrown through the flow to the
// command, which maps it to the exit code: 2 for end of input or a declined
// question ("no config written"), 128+N for signal N.
class WizardAborted : public std::runtime_error {
 public:
  enum class Reason { kEndOfInput, kSignal, kDeclined };

  static WizardAborted end_of_input() {
    return WizardAborted(Reason::kEndOfInput, 0, "input ended before the last question");
  }
  static WizardAborted signal(int signal_number) {
    return WizardAborted(Reason::kSignal, signal_number, "interrupted");
  }
  // The user answered a question in a way that ends the wizard (`why` says which).
  static WizardAborted declined(const std::string& why) {
    return WizardAborted(Reason::kDeclined, 0, why);
  }

  Reason reason() const { return reason_; }
  int signal_number() const { return signal_number_; }  // 0 unless reason() == kSignal

 private:
  WizardAborted(Reason reason, int signal_number, const std::string& what)
      : std::runtime_error(what), reason_(reason), signal_number_(signal_number) {}

  Reason reason_;
  int signal_number_;
};

// Returns the reason an answer is rejected (shown to the user before asking
// again), or nullopt when the answer is acceptable.
template <typename T>
using Validator = std::function<std::optional<std::string>(const T&)>;

class Prompter {
 public:
  virtual ~Prompter() = default;

  // A menu; returns the index of the chosen option. `default_index` is
  // pre-selected (terminal) or taken on an empty line (line mode).
  virtual std::size_t choose(std::string_view question, const std::vector<std::string>& options,
                             std::size_t default_index) = 0;

  // Accepts y, yes, n, no in any case; an empty answer takes the default.
  virtual bool ask_yes_no(std::string_view question, bool default_answer) = 0;

  // Free text. Without a default an empty answer is rejected. Surrounding
  // whitespace is trimmed before validation.
  virtual std::string ask_text(std::string_view question,
                               const std::optional<std::string>& default_answer,
                               const Validator<std::string>& validate) = 0;

  // Information between questions (a warning, why a choice has consequences).
  virtual void tell(std::string_view message) = 0;

  // Numbers are text questions whose validator parses first, so every
  // implementation re-asks on "abc" the same way.
  int ask_int(std::string_view question, std::optional<int> default_answer,
              const Validator<int>& validate = {});
  double ask_float(std::string_view question, std::optional<double> default_answer,
                   const Validator<double>& validate = {});
};

}  // namespace accel::config::wizard
