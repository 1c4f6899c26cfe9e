#include "supervisor/worker_env.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "rendezvous/env_names.hpp"

namespace accel::supervisor {

namespace {

std::string_view name_of(std::string_view assignment) {
  return assignment.substr(0, assignment.find('='));
}

bool has_variable(const std::vector<std::string>& env, std::string_view name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& entry) { return name_of(entry) == name; });
}

}  // namespace

int global_rank(const JobSpec& spec, int local_rank) {
  return spec.node_rank * spec.nproc_per_node + local_rank;
}

std::vector<std::string> worker_environment(const JobSpec& spec, int local_rank, int attempt) {
  const int world_size = spec.nnodes * spec.nproc_per_node;
  const int rank = global_rank(spec, local_rank);

  std::vector<std::pair<const char*, std::string>> per_worker = {
      {env::kLocalRank, std::to_string(local_rank)},
      {env::kRank, std::to_string(rank)},
      {env::kGroupRank, std::to_string(spec.node_rank)},
      // One role per job, so a worker's role rank and role world size are
      // its global rank and the world size, as torchrun computes them.
      {env::kRoleRank, std::to_string(rank)},
      {env::kRoleName, spec.role},
      {env::kLocalWorldSize, std::to_string(spec.nproc_per_node)},
      {env::kWorldSize, std::to_string(world_size)},
      {env::kGroupWorldSize, std::to_string(spec.nnodes)},
      {env::kRoleWorldSize, std::to_string(world_size)},
      {env::kMasterAddr, spec.master_addr},
      {env::kMasterPort, std::to_string(spec.master_port)},
      {env::kRestartCount, std::to_string(attempt)},
      {env::kMaxRestarts, std::to_string(spec.max_restarts)},
      {env::kRunId, spec.run_id},
      {env::kAccelNodeRank, std::to_string(spec.node_rank)},
      {env::kAccelJobId, spec.run_id},
  };
  if (!has_variable(spec.env, env::kTorchNcclAsyncErrorHandling)) {
    per_worker.emplace_back(env::kTorchNcclAsyncErrorHandling, "1");
  }
  if (local_rank >= 0 && static_cast<std::size_t>(local_rank) < spec.local_devices.size()) {
    per_worker.emplace_back(
        env::kAccelLocalDevice,
        std::to_string(spec.local_devices[static_cast<std::size_t>(local_rank)]));
  }

  std::vector<std::string> result;
  result.reserve(spec.env.size() + per_worker.size());
  for (const std::string& entry : spec.env) {
    bool replaced = std::any_of(per_worker.begin(), per_worker.end(),
                                [&](const auto& var) { return name_of(entry) == var.first; });
    if (!replaced) result.push_back(entry);
  }
  for (auto& [name, value] : per_worker) result.push_back(std::string(name) + "=" + value);
  return result;
}

}  // namespace accel::supervisor
