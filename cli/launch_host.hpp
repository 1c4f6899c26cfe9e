// Facts about this machine that `accel launch` resolution needs: GPU counts
// (cli/gpu_probe.hpp), physical CPU cores, and the launcher's
// OMP_NUM_THREADS. Read once per launch; resolution itself stays pure.
#pragma once

#include <string>

#include "cli/launch_env.hpp"
#include "config/launch_spec.hpp"

namespace accel::cli {

// Physical cores as psutil.cpu_count(logical=False) counts them: distinct
// core sibling lists under /sys/devices/system/cpu; the online CPU count when
// sysfs has no topology (some containers), and at least 1.
int physical_cpu_cores(const std::string& sysfs_cpu_dir = "/sys/devices/system/cpu");

config::HostFacts host_facts(const Environment& launcher_env);

}  // namespace accel::cli
