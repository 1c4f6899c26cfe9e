// A Prompter that answers from a script, for driving the wizard's question
// flow in tests. Answers are what a user would type ("" takes the default, a
// menu takes a number or the option's text) and go through the same
// interpret_* rules as the real prompters, so a rejected answer is re-asked
// here too. Running out of answers is end of input.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "config/wizard/answers.hpp"
#include "config/wizard/prompter.hpp"

namespace accel::config::wizard::testing {

class ScriptedPrompter : public Prompter {
  // Defined first: the overrides below deduce their return type from it.
  template <typename Interpret>
  auto ask_until_accepted(std::string_view question, Interpret interpret) {
    for (;;) {
      questions.emplace_back(question);
      if (answers_.empty()) throw WizardAborted::end_of_input();
      const std::string answer = answers_.front();
      answers_.pop_front();
      auto result = interpret(answer);
      if (result.value) return *result.value;
      errors.push_back(result.error);
    }
  }

 public:
  explicit ScriptedPrompter(std::vector<std::string> answers)
      : answers_(answers.begin(), answers.end()) {}

  std::vector<std::string> questions;  // each question as asked, re-asks included
  std::vector<std::string> errors;     // the reasons given for rejected answers
  std::vector<std::string> notes;      // what tell() said

  bool all_answers_used() const { return answers_.empty(); }

  std::size_t choose(std::string_view question, const std::vector<std::string>& options,
                     std::size_t default_index) override {
    return ask_until_accepted(question, [&](const std::string& answer) {
      return interpret_choice(answer, options, default_index);
    });
  }

  bool ask_yes_no(std::string_view question, bool default_answer) override {
    return ask_until_accepted(question, [&](const std::string& answer) {
      return interpret_yes_no(answer, default_answer);
    });
  }

  std::string ask_text(std::string_view question, const std::optional<std::string>& default_answer,
                       const Validator<std::string>& validate) override {
    return ask_until_accepted(question, [&](const std::string& answer) {
      return interpret_text(answer, default_answer, validate);
    });
  }

  void tell(std::string_view message) override { notes.emplace_back(message); }

 private:
  std::deque<std::string> answers_;
};

}  // namespace accel::config::wizard::testing
