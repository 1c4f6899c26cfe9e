// How a typed answer is understood, shared by every prompter so a pipe, a
// terminal and the test script accept exactly the same answers.
//
// Each interpret_* function takes the raw line the user typed and returns the
// value or the reason it was rejected (the sentence shown before asking
// again). An empty (all-whitespace) answer means "take the default".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/wizard/prompter.hpp"

namespace accel::config::wizard {

template <typename T>
struct Interpreted {
  std::optional<T> value;  // set when the answer is accepted
  std::string error;       // why it was not, when value is empty
};

// Menu answers: the option's text (case-insensitive) or its number (0-based,
// as the terminal's digit keys). Text wins, so in a menu of numbers such as
// the FSDP version ("1", "2") typing 1 means version 1.
Interpreted<std::size_t> interpret_choice(std::string_view answer,
                                          const std::vector<std::string>& options,
                                          std::size_t default_index);

// y, yes, n, no in any case.
Interpreted<bool> interpret_yes_no(std::string_view answer, bool default_answer);

// Trims the answer, applies the default, then the validator.
Interpreted<std::string> interpret_text(std::string_view answer,
                                        const std::optional<std::string>& default_answer,
                                        const Validator<std::string>& validate);

// Whole numbers and decimals with nothing after them ("8", "-1", "1e8" is
// not an int; "1.0", "1e-3" are floats).
Interpreted<int> parse_int(std::string_view text);
Interpreted<double> parse_float(std::string_view text);

std::string_view trim(std::string_view text);

// "[yes/NO]" or "[YES/no]", as Accelerate shows yes/no defaults.
std::string yes_no_hint(bool default_answer);

// How a double default is shown: 1 -> "1.0", 0.5 -> "0.5" (Python's style,
// which the question texts copy from Accelerate).
std::string format_float(double value);

}  // namespace accel::config::wizard
