#include "launch/inherited_environment.hpp"

#include <algorithm>
#include <array>

#include "launch/rendezvous_plan.hpp"
#include "rendezvous/env_names.hpp"

namespace accel::launch {

namespace {

// Set per worker by the supervisor or per job by the launch: never inherited.
constexpr std::array kJobVariables = {
    env::kRank,           env::kLocalRank,        env::kWorldSize,
    env::kLocalWorldSize, env::kGroupRank,        env::kGroupWorldSize,
    env::kRoleRank,       env::kRoleName,         env::kRoleWorldSize,
    env::kMasterAddr,     env::kMasterPort,       env::kAccelStoreAddr,
    env::kAccelStorePort, env::kAccelJobId,       env::kAccelJobToken,
    env::kAccelNodeRank,  env::kAccelLocalDevice, kRdzvTokenVariable,
};

}  // namespace

bool is_inherited(std::string_view name) {
  if (name.starts_with("TORCHELASTIC_")) return false;
  return std::none_of(kJobVariables.begin(), kJobVariables.end(),
                      [name](const char* job_variable) { return name == job_variable; });
}

base::Environment inherited_environment(const base::Environment& launcher_env) {
  base::Environment inherited;
  for (const auto& [name, value] : launcher_env) {
    if (is_inherited(name)) inherited.emplace_hint(inherited.end(), name, value);
  }
  return inherited;
}

}  // namespace accel::launch
