#include <string>
#include <vector>

#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

namespace {

// Accelerate's DYNAMO_BACKENDS, in its order (the menu's numbers match), with
// its spelling ("TORHCHXLA" included: that is the value Accelerate accepts).
const std::vector<std::string> kDynamoBackends = {"EAGER",
                                                  "AOT_EAGER",
                                                  "INDUCTOR",
                                                  "AOT_TS_NVFUSER",
                                                  "NVPRIMS_NVFUSER",
                                                  "CUDAGRAPHS",
                                                  "OFI",
                                                  "FX2TRT",
                                                  "ONNXRT",
                                                  "TENSORRT",
                                                  "AOT_TORCHXLA_TRACE_ONCE",
                                                  "TORHCHXLA_TRACE_ONCE",
                                                  "TVM"};
constexpr std::size_t kInductor = 2;

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
  std::vector<std::string> menu;
  for (const std::string& backend : kDynamoBackends) menu.push_back(lowercase(backend));

  YAML::Node dynamo(YAML::NodeType::Map);
  // The menu shows lower case; the file holds Accelerate's enum value.
  dynamo["dynamo_backend"] = kDynamoBackends[prompter.choose(
      "Which dynamo backend would you like to use?", menu, kInductor)];
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
