// What of the launcher's own environment the workers inherit. A launcher
// started inside another launcher's job (a worker of torchrun or of another
// accel, a Kubeflow pod whose RANK/WORLD_SIZE describe the pod, mpirun)
// carries that job's rank variables; passed on, a variable the supervisor does
// not replace for each worker (TORCHELASTIC_USE_AGENT_STORE, a stale
// ACCEL_STORE_ADDR, ...) would point the workers at a job that is not
// theirs, and one it does replace would only mislead a reader of the
// environment. So the torchrun worker set, every TORCHELASTIC_* and accel's
// own per-job variables (rendezvous/env_names.hpp) are dropped here; the
// supervisor and the launch plan set the ones that apply. The rendezvous
// secret (ACCEL_RDZV_TOKEN) stays with the launcher. Everything else,
// SLURM_* included, is inherited unchanged. Pure.
#pragma once

#include "base/environment.hpp"

namespace accel::launch {

// `launcher_env` without the variables above.
base::Environment inherited_environment(const base::Environment& launcher_env);

// Whether the workers inherit `name` from the launcher.
bool is_inherited(std::string_view name);

}  // namespace accel::launch
