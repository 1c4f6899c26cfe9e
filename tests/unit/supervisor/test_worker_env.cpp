// The per-worker environment: torchrun's variables and values, accel's own,
// and how they combine with the job's environment.
#include <catch2/catch.hpp>
#include <map>

#include "supervisor/worker_env.hpp"

using accel::supervisor::JobSpec;
using accel::supervisor::worker_environment;

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
  spec.nnodes = 2;
  spec.node_rank = 1;
  spec.master_addr = "10.0.0.1";
  spec.master_port = 29501;
  spec.run_id = "job42";
  spec.role = "trainer";
  spec.max_restarts = 3;
  return spec;
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
