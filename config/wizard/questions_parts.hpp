// The sections of the question flow, one file each; questions.cpp asks them
// in Accelerate's order. Internal to config/wizard.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/cluster_config.hpp"
#include "config/wizard/prompter.hpp"

namespace accel::config::wizard {

// Number of machines and, for more than one, this machine's rank, the main
// process address and the rendezvous settings (questions_machines.cpp).
void ask_machines(Prompter& prompter, ClusterConfig& config);

// dynamo_config, or a null node when dynamo is not wanted (questions_dynamo.cpp).
YAML::Node ask_dynamo(Prompter& prompter);

// Asked when distributed_type is NO or MULTI_GPU; on "yes" switches it to
// DEEPSPEED and fills deepspeed_config. Returns true when the user points to
// a DeepSpeed JSON file, which then owns mixed precision (questions_deepspeed.cpp).
bool ask_deepspeed(Prompter& prompter, ClusterConfig& config);

// Asked when distributed_type is MULTI_GPU; on "yes" switches it to FSDP and
// fills fsdp_config, and parallelism_config for FSDP2 (questions_fsdp.cpp).
void ask_fsdp(Prompter& prompter, ClusterConfig& config);

// A menu whose answer is the option's text.
std::string choose_option(Prompter& prompter, std::string_view question,
                          const std::vector<std::string>& options, std::size_t default_index = 0);

// Validators shared by the sections.
Validator<int> at_least(int minimum);
Validator<std::string> not_blank_or_spaced(std::string_view what);

}  // namespace accel::config::wizard
