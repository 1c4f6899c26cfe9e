// The per-worker environment: torchrun's variables and values, accel's own,
// and how they combine with the job's environment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "supervisor/worker_env.hpp"

using accel::supervisor::AttemptRanks;
using accel::supervisor::JobSpec;
using accel::supervisor::rank_layout_problem;
using accel::supervisor::RankLayout;

namespace {

std::map<std::string, std::string> as_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> vars;
  for (const auto& entry : env) {
    auto equals = entry.find('=');
    REQUIRE(equals != std::string::npos);
    REQUIRE(vars.count(entry.substr(0, equals)) == 0);  // each name once
    vars[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return vars;
}

JobSpec two_node_spec() {
  JobSpec spec;
  spec.argv = {"/bin/true"};
  spec.env = {"PATH=/usr/bin", "HOME=/root", "RANK=99", "MASTER_PORT=1"};
  spec.nproc_per_node = 4;
  spec.ranks.layout = RankLayout::for_machine(1, 2, 4);
  spec.ranks.master_addr = "10.0.0.1";
  spec.ranks.master_port = 29501;
  spec.run_id = "job42";
  spec.role = "trainer";
  spec.max_restarts = 3;
  return spec;
}

// The environment of worker `worker` of `spec` with the job's own ranks.
std::vector<std::string> worker_environment(const JobSpec& spec, int worker, int attempt) {
  return accel::supervisor::worker_environment(spec, spec.ranks, worker, attempt);
}

}  // namespace

TEST_CASE("worker_env: torchrun's variables for one worker", "[supervisor][env]") {
  auto vars = as_map(worker_environment(two_node_spec(), 2, 1));
  CHECK(vars["LOCAL_RANK"] == "2");
  CHECK(vars["RANK"] == "6");
  CHECK(vars["GROUP_RANK"] == "1");
  CHECK(vars["ROLE_RANK"] == "6");
  CHECK(vars["ROLE_NAME"] == "trainer");
  CHECK(vars["LOCAL_WORLD_SIZE"] == "4");
  CHECK(vars["WORLD_SIZE"] == "8");
  CHECK(vars["GROUP_WORLD_SIZE"] == "2");
  CHECK(vars["ROLE_WORLD_SIZE"] == "8");
  CHECK(vars["MASTER_ADDR"] == "10.0.0.1");
  CHECK(vars["MASTER_PORT"] == "29501");
  CHECK(vars["TORCHELASTIC_RESTART_COUNT"] == "1");
  CHECK(vars["TORCHELASTIC_MAX_RESTARTS"] == "3");
  CHECK(vars["TORCHELASTIC_RUN_ID"] == "job42");
  CHECK(vars["TORCH_NCCL_ASYNC_ERROR_HANDLING"] == "1");
  CHECK(vars["ACCEL_NODE_RANK"] == "1");
  CHECK(vars["ACCEL_JOB_ID"] == "job42");
}

TEST_CASE("worker_env: keeps the job's environment, per-worker values win", "[supervisor][env]") {
  auto vars = as_map(worker_environment(two_node_spec(), 0, 0));
  CHECK(vars["PATH"] == "/usr/bin");
  CHECK(vars["HOME"] == "/root");
  CHECK(vars["RANK"] == "4");
  CHECK(vars["MASTER_PORT"] == "29501");
}

TEST_CASE("worker_env: an attempt's own variables override the job's, not the ranks",
          "[supervisor][env]") {
  JobSpec spec = two_node_spec();
  spec.env.push_back("GLOO_SOCKET_IFNAME=lo");
  AttemptRanks ranks = spec.ranks;
  ranks.environment = {"GLOO_SOCKET_IFNAME=eth0", "RANK=99"};
  const std::vector<std::string> env = accel::supervisor::worker_environment(spec, ranks, 0, 0);
  auto vars = as_map(env);
  CHECK(vars["GLOO_SOCKET_IFNAME"] == "eth0");
  CHECK(vars["RANK"] == "4");  // the rank variables are the supervisor's alone
  CHECK(std::count_if(env.begin(), env.end(), [](const std::string& entry) {
          return entry.starts_with("GLOO_SOCKET_IFNAME=") || entry.starts_with("RANK=");
        }) == 2);
}

TEST_CASE("worker_env: a user's TORCH_NCCL_ASYNC_ERROR_HANDLING is kept", "[supervisor][env]") {
  JobSpec spec = two_node_spec();
  spec.env.push_back("TORCH_NCCL_ASYNC_ERROR_HANDLING=3");
  CHECK(as_map(worker_environment(spec, 0, 0))["TORCH_NCCL_ASYNC_ERROR_HANDLING"] == "3");
}

TEST_CASE("worker_env: never TORCHELASTIC_USE_AGENT_STORE", "[supervisor][env]") {
  CHECK(as_map(worker_environment(two_node_spec(), 0, 0)).count("TORCHELASTIC_USE_AGENT_STORE") ==
        0);
}

TEST_CASE("worker_env: ACCEL_LOCAL_DEVICE only on GPU jobs", "[supervisor][env]") {
  JobSpec spec = two_node_spec();
  CHECK(as_map(worker_environment(spec, 1, 0)).count("ACCEL_LOCAL_DEVICE") == 0);
  spec.local_devices = {3, 5, 6, 7};
  CHECK(as_map(worker_environment(spec, 1, 0))["ACCEL_LOCAL_DEVICE"] == "5");
}

TEST_CASE("worker_env: the ranks come from the attempt, not from the machine's number",
          "[supervisor][env]") {
  // One launcher per SLURM task: one worker, whose LOCAL_RANK is the task's
  // SLURM_LOCALID, on the second of three machines of two tasks each.
  JobSpec spec = two_node_spec();
  spec.nproc_per_node = 1;
  spec.local_devices = {1};
  AttemptRanks ranks;
  ranks.layout = RankLayout{3, 6, 1, 2, 1, 3};
  ranks.master_addr = "node0";
  ranks.master_port = 41000;
  REQUIRE_FALSE(rank_layout_problem(ranks, 1));
  auto vars = as_map(accel::supervisor::worker_environment(spec, ranks, 0, 2));
  CHECK(vars["RANK"] == "3");
  CHECK(vars["LOCAL_RANK"] == "1");
  CHECK(vars["ROLE_RANK"] == "3");
  CHECK(vars["WORLD_SIZE"] == "6");
  CHECK(vars["ROLE_WORLD_SIZE"] == "6");
  CHECK(vars["LOCAL_WORLD_SIZE"] == "2");
  CHECK(vars["GROUP_RANK"] == "1");
  CHECK(vars["ACCEL_NODE_RANK"] == "1");
  CHECK(vars["GROUP_WORLD_SIZE"] == "3");
  CHECK(vars["MASTER_ADDR"] == "node0");
  CHECK(vars["MASTER_PORT"] == "41000");
  CHECK(vars["TORCHELASTIC_RESTART_COUNT"] == "2");
  CHECK(vars["ACCEL_LOCAL_DEVICE"] == "1");  // the device of this launcher's worker 0
}

TEST_CASE("worker_env: torchrun's static layout", "[supervisor][env]") {
  const RankLayout layout = RankLayout::for_machine(2, 3, 4);
  CHECK(layout.first_rank == 8);
  CHECK(layout.world_size == 12);
  CHECK(layout.first_local_rank == 0);
  CHECK(layout.local_world_size == 4);
  CHECK(layout.group_rank == 2);
  CHECK(layout.group_world_size == 3);
  CHECK(accel::supervisor::global_rank(layout, 3) == 11);
  CHECK(accel::supervisor::local_rank(layout, 3) == 3);
}

TEST_CASE("worker_env: ranks that do not fit the workers are refused with the reason",
          "[supervisor][env]") {
  AttemptRanks ranks;
  ranks.layout = RankLayout::for_machine(1, 2, 4);
  CHECK_FALSE(rank_layout_problem(ranks, 4));
  CHECK(rank_layout_problem(ranks, 5).value_or("") ==
        "ranks 4..8 of 5 worker(s) do not fit a world of 8");
  ranks.layout.first_local_rank = 1;
  CHECK(rank_layout_problem(ranks, 4).value_or("") ==
        "local ranks 1..4 do not fit a local world of 4");
  ranks.layout = RankLayout::for_machine(1, 2, 4);
  ranks.layout.group_rank = 2;
  CHECK(rank_layout_problem(ranks, 4).value_or("") == "group rank 2 is not one of 2 machine(s)");
  ranks.layout = RankLayout::for_machine(0, 1, 1);
  ranks.master_port = 0;
  CHECK(rank_layout_problem(ranks, 1).value_or("") == "master port 0 is not a TCP port");
  ranks.master_port = 29500;
  ranks.master_addr.clear();
  CHECK(rank_layout_problem(ranks, 1).value_or("") == "no master address");
}
