#include "supervisor/worker_env.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "base/environment.hpp"
#include "rendezvous/env_names.hpp"

namespace accel::supervisor {

using base::entry_name;

std::optional<std::string> rank_layout_problem(const AttemptRanks& ranks, int nproc_per_node) {
  const RankLayout& layout = ranks.layout;
  auto numbers = [](int first, int count) {
    return std::to_string(first) + ".." + std::to_string(first + count - 1);
  };
  if (layout.first_rank < 0 || layout.first_rank + nproc_per_node > layout.world_size) {
    return "ranks " + numbers(layout.first_rank, nproc_per_node) + " of " +
           std::to_string(nproc_per_node) + " worker(s) do not fit a world of " +
           std::to_string(layout.world_size);
  }
  if (layout.first_local_rank < 0 ||
      layout.first_local_rank + nproc_per_node > layout.local_world_size) {
    return "local ranks " + numbers(layout.first_local_rank, nproc_per_node) +
           " do not fit a local world of " + std::to_string(layout.local_world_size);
  }
  if (layout.group_rank < 0 || layout.group_rank >= layout.group_world_size) {
    return "group rank " + std::to_string(layout.group_rank) + " is not one of " +
           std::to_string(layout.group_world_size) + " machine(s)";
  }
  if (ranks.master_addr.empty()) return "no master address";
  if (ranks.master_port < 1 || ranks.master_port > 65535) {
    return "master port " + std::to_string(ranks.master_port) + " is not a TCP port";
  }
  return std::nullopt;
}

std::vector<std::string> worker_environment(const JobSpec& spec, const AttemptRanks& ranks,
                                            int worker, int attempt) {
  const RankLayout& layout = ranks.layout;
  const int rank = global_rank(layout, worker);

  std::vector<std::pair<const char*, std::string>> per_worker = {
      {env::kLocalRank, std::to_string(local_rank(layout, worker))},
      {env::kRank, std::to_string(rank)},
      {env::kGroupRank, std::to_string(layout.group_rank)},
      // One role per job, so a worker's role rank and role world size are
      // its global rank and the world size, as torchrun computes them.
      {env::kRoleRank, std::to_string(rank)},
      {env::kRoleName, spec.role},
      {env::kLocalWorldSize, std::to_string(layout.local_world_size)},
      {env::kWorldSize, std::to_string(layout.world_size)},
      {env::kGroupWorldSize, std::to_string(layout.group_world_size)},
      {env::kRoleWorldSize, std::to_string(layout.world_size)},
      {env::kMasterAddr, ranks.master_addr},
      {env::kMasterPort, std::to_string(ranks.master_port)},
      {env::kRestartCount, std::to_string(attempt)},
      {env::kMaxRestarts, std::to_string(spec.max_restarts)},
      {env::kRunId, spec.run_id},
      {env::kAccelNodeRank, std::to_string(layout.group_rank)},
      {env::kAccelJobId, spec.run_id},
  };
  if (!base::has_entry(spec.env, env::kTorchNcclAsyncErrorHandling)) {
    per_worker.emplace_back(env::kTorchNcclAsyncErrorHandling, "1");
  }
  if (worker >= 0 && static_cast<std::size_t>(worker) < spec.local_devices.size()) {
    per_worker.emplace_back(env::kAccelLocalDevice,
                            std::to_string(spec.local_devices[static_cast<std::size_t>(worker)]));
  }

  const auto set_by_attempt = [&](std::string_view name) {
    return std::any_of(ranks.environment.begin(), ranks.environment.end(),
                       [&](const std::string& entry) { return entry_name(entry) == name; });
  };
  std::vector<std::string> result;
  result.reserve(spec.env.size() + ranks.environment.size() + per_worker.size());
  for (const std::string& entry : spec.env) {
    bool replaced = std::any_of(per_worker.begin(), per_worker.end(),
                                [&](const auto& var) { return entry_name(entry) == var.first; });
    if (!replaced && !set_by_attempt(entry_name(entry))) result.push_back(entry);
  }
  for (const std::string& entry : ranks.environment) {
    if (!std::any_of(per_worker.begin(), per_worker.end(),
                     [&](const auto& var) { return entry_name(entry) == var.first; }))
      result.push_back(entry);
  }
  for (auto& [name, value] : per_worker) result.push_back(std::string(name) + "=" + value);
  return result;
}

}  // namespace accel::supervisor
