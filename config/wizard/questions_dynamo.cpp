#include <string>
#include <vector>

#include "config/dynamo_backends.hpp"
#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

namespace {

constexpr std::size_t kInductor = 2;  // position in dynamo_backend_menu()

const std::vector<std::string> kDynamoModes = {"default", "reduce-overhead", "max-autotune"};

std::string lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

YAML::Node ask_dynamo(Prompter& prompter) {
  if (!prompter.ask_yes_no("Do you wish to optimize your script with torch dynamo?", false)) {
    return YAML::Node();
  }
  const auto backends = dynamo_backend_menu();
  std::vector<std::string> menu;
  for (std::string_view backend : backends) menu.push_back(lowercase(std::string(backend)));

  YAML::Node dynamo(YAML::NodeType::Map);
  // The menu shows lower case; the file holds Accelerate's enum value.
  dynamo["dynamo_backend"] = std::string(
      backends[prompter.choose("Which dynamo backend would you like to use?", menu, kInductor)]);
  if (prompter.ask_yes_no("Do you want to customize the defaults sent to torch.compile?", false)) {
    dynamo["dynamo_mode"] = choose_option(prompter, "Which mode do you want to use?", kDynamoModes);
    dynamo["dynamo_use_fullgraph"] = prompter.ask_yes_no(
        "Do you want the fullgraph mode or it is ok to break model into several subgraphs?", false);
    dynamo["dynamo_use_dynamic"] =
        prompter.ask_yes_no("Do you want to enable dynamic shape tracing?", false);
    dynamo["dynamo_use_regional_compilation"] =
        prompter.ask_yes_no("Do you want to enable regional compilation?", false);
  }
  return dynamo;
}

}  // namespace accel::config::wizard
