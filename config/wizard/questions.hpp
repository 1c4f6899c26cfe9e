// Accelerate's `accelerate config` question flow (commands/config/cluster.py)
// for what accel launches: one machine or several, no distribution,
// multi-CPU, multi-GPU, DeepSpeed and FSDP, with torch dynamo and mixed
// precision. Questions, defaults and the keys written into the nested maps
// are Accelerate's, so the file loads in Accelerate unchanged; where accel
// differs (it does not ask for XPU/NPU/TPU, mpirun, Megatron-LM or the fp8
// backend's tuning knobs) docs/config.md says why.
//
// The flow only talks to a Prompter and returns the config; it writes
// nothing, so an aborted wizard (WizardAborted) leaves no file behind.
#pragma once

#include "config/cluster_config.hpp"
#include "config/wizard/prompter.hpp"

namespace accel::config::wizard {

// Facts about this machine that make better defaults. The config may be
// written for another machine, so they never restrict an answer.
struct MachineFacts {
  int visible_gpus = 0;  // GPUs this process can see (0 on a CPU machine)
};

ClusterConfig ask_cluster_config(Prompter& prompter, const MachineFacts& facts);

}  // namespace accel::config::wizard
