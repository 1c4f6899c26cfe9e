// Shared between launch_spec.cpp (precedence and defaults) and
// launch_spec_checks.cpp (what accel refuses to start). Not a public header.
#pragma once

#include <string>

#include "config/launch_spec.hpp"

namespace accel::config::detail {

// Where a value came from, for messages: "--gpu_ids" or "gpu_ids in <file>".
struct Origin {
  std::string flag;         // "--gpu_ids"
  std::string config_path;  // empty when the value came from the flag or a default
  std::string describe() const {
    return config_path.empty() ? flag : flag.substr(2) + " in " + config_path;
  }
};

// The launcher Accelerate picks, after the paradigm switches are final.
struct ParadigmSwitches {
  bool cpu = false;
  bool multi_gpu = false;
  bool tpu = false;
  bool use_deepspeed = false;
  bool use_fsdp = false;
  bool use_megatron_lm = false;
  bool sagemaker = false;
};

// Checks run once the spec is resolved; returns the first problem, or "".
std::string check_resolved(const LaunchSpec& spec, const ParadigmSwitches& switches,
                           const Origin& gpu_ids_origin, const HostFacts& host);

}  // namespace accel::config::detail
