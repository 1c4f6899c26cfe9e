// plan_launch with a job environment: SLURM one launcher per node and per
// task, mpirun, PET_*, the precedence of flags, the rendezvous plan and the
// variables that must not leak from the launcher into the workers.
#include <catch2/catch.hpp>

#include "launch_test_support.hpp"

using namespace accel::launch;
using namespace accel::launch::testing;
using accel::base::Environment;

namespace {

// srun --nodes=2 --ntasks-per-node=1 accel launch train.py, on the second node.
Environment slurm_per_node(const char* node_id = "1") {
  return {{"PATH", "/usr/bin"},
          {"SLURM_JOB_ID", "4242"},
          {"SLURM_STEP_ID", "0"},
          {"SLURM_NNODES", "2"},
          {"SLURM_NODEID", node_id},
          {"SLURM_PROCID", node_id},
          {"SLURM_LOCALID", "0"},
          {"SLURM_NTASKS", "2"},
          {"SLURM_TASKS_PER_NODE", "1(x2)"},
          {"SLURM_JOB_NODELIST", "gpu-a[01-02]"},
          {"CUDA_VISIBLE_DEVICES", "0,1,2,3"}};
}

// srun --nodes=2 --ntasks-per-node=4 accel launch train.py, task 5.
Environment slurm_per_task(const char* proc_id = "5", const char* local_id = "1") {
  Environment env = slurm_per_node();
  env["SLURM_NTASKS"] = "8";
  env["SLURM_TASKS_PER_NODE"] = "4(x2)";
  env["SLURM_PROCID"] = proc_id;
  env["SLURM_LOCALID"] = local_id;
  return env;
}

LaunchError refused_in(const LaunchRequest& request, FakeHost& host, const Environment& env) {
  PlanResult result = plan(request, host, env);
  REQUIRE(result.error);
  return *result.error;
}

}  // namespace

TEST_CASE("SLURM, one launcher per node: shape, rendezvous and rank layout from SLURM",
          "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);
  LaunchRequest request = request_for();
  request.quiet = true;
  const LaunchPlan plan = planned(request, host, slurm_per_node());
  CHECK(plan.job_system == JobSystem::kSlurm);
  CHECK(plan.spec.num_machines == 2);
  CHECK(plan.spec.machine_rank == 1);
  CHECK(plan.spec.num_processes == 8);  // 4 GPUs per node
  CHECK(plan.spec.nproc_per_node == 4);
  CHECK(plan.spec.sources.machine_rank == "SLURM_NODEID");
  CHECK(plan.spec.sources.num_processes == "CUDA_VISIBLE_DEVICES");
  CHECK(plan.job.nproc_per_node == 4);
  CHECK(plan.job.run_id == "4242.0");
  CHECK(plan.job.ranks.master_addr == "gpu-a01");
  const RendezvousPlan& rdzv = plan.rendezvous;
  CHECK(rdzv.shape == LaunchShape::kMachine);
  CHECK_FALSE(rdzv.serve);
  CHECK(rdzv.server_host == "gpu-a01");
  CHECK(rdzv.port == 29500);
  CHECK(rdzv.bind_address.empty());
  CHECK(rdzv.member_index == 1);
  CHECK(rdzv.member_count == 2);
  CHECK(rdzv.local_workers == 4);
  CHECK(rdzv.num_processes == 8);
  CHECK(rdzv.job_id == "4242.0");
  CHECK(rdzv.job_id_source == "SLURM_JOB_ID.SLURM_STEP_ID");
  CHECK(rdzv.token.empty());  // several machines: nothing to generate it from
  CHECK_FALSE(rdzv.token_given);
  CHECK(rdzv.layout.first_rank == 4);
  CHECK(rdzv.layout.world_size == 8);
  CHECK(rdzv.layout.first_local_rank == 0);
  CHECK(rdzv.layout.local_world_size == 4);
  CHECK(rdzv.layout.group_rank == 1);
  CHECK(rdzv.layout.group_world_size == 2);
  // Every node's output lands in one file: ranks on every line.
  CHECK(plan.output.prefix_lines);
  CHECK(plan.job.output.prefix_lines);
  CHECK(plan.notices.empty());
  // Machine 0 serves; its port is checked, not replaced.
  const LaunchPlan first = planned(request, host, slurm_per_node("0"));
  CHECK(first.rendezvous.serve);
  CHECK(first.rendezvous.layout.first_rank == 0);
  host.busy_ports[29500] = "python3 (pid 7)";
  CHECK(refused_in(request, host, slurm_per_node("0")).message ==
        "--main_process_port 29500: machine 0 serves the rendezvous there, but the port is "
        "already in use (by python3 (pid 7)); stop what holds it, or give every machine another "
        "port");
  CHECK(plan_launch(request, nullptr, "", slurm_per_node("1"), host).plan);  // only machine 0 binds
}

TEST_CASE("flags win over SLURM, and SLURM over the config file", "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);
  accel::config::ClusterConfig config;
  config.distributed_type = accel::config::DistributedType::kMultiGpu;
  config.num_processes = 16;
  config.num_machines = 4;
  config.machine_rank = 0;  // one file for every node: the rank must come from SLURM
  config.main_process_ip = "from-config";
  LaunchRequest request = request_for();
  request.quiet = true;
  LaunchPlan plan = planned(request, host, slurm_per_node(), &config);
  CHECK(plan.spec.num_machines == 2);
  CHECK(plan.spec.machine_rank == 1);
  CHECK(plan.spec.num_processes == 16);  // the config's; SLURM's GPUs are only a default
  CHECK(plan.spec.main_process_ip == "gpu-a01");
  CHECK(plan.spec.sources.main_process_ip == "SLURM_JOB_NODELIST");

  request.flags.machine_rank = 0;
  request.flags.main_process_ip = "10.0.0.1";
  request.flags.num_processes = 2;
  request.run_id = "mine";
  plan = planned(request, host, slurm_per_node(), &config);
  CHECK(plan.spec.machine_rank == 0);
  CHECK(plan.spec.sources.machine_rank == "--machine_rank");
  CHECK(plan.rendezvous.server_host == "10.0.0.1");
  CHECK(plan.spec.num_processes == 2);
  CHECK(plan.rendezvous.job_id == "mine");
}

TEST_CASE("with --debug the plan says where each value came from", "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);
  LaunchRequest request = request_for();
  request.quiet = true;
  request.flags.debug = true;
  request.flags.main_process_port = 29600;
  const LaunchPlan plan = planned(request, host, slurm_per_node());
  const std::vector<std::string> expected = {
      "accel launch: num_processes=8 (CUDA_VISIBLE_DEVICES)\n",
      "accel launch: num_machines=2 (SLURM_NNODES)\n",
      "accel launch: machine_rank=1 (SLURM_NODEID)\n",
      "accel launch: main_process_ip=gpu-a01 (SLURM_JOB_NODELIST)\n",
      "accel launch: main_process_port=29600 (--main_process_port)\n",
      "accel launch: run_id=4242.0 (SLURM_JOB_ID.SLURM_STEP_ID)\n",
      "accel launch: member 1 of 2 (joins gpu-a01 the rendezvous on port 29600), 4 worker(s) "
      "from rank 4, job environment: SLURM\n"};
  CHECK(plan.notices == expected);
}

TEST_CASE("SLURM, one launcher per task: one worker with SLURM's ranks", "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);  // every task sees the node's 4 GPUs
  LaunchRequest request = request_for();
  request.quiet = true;
  request.flags.num_processes = 8;  // --num_processes=$SLURM_NTASKS
  const LaunchPlan plan = planned(request, host, slurm_per_task());
  const RendezvousPlan& rdzv = plan.rendezvous;
  CHECK(rdzv.shape == LaunchShape::kSlurmPerTask);
  CHECK(rdzv.member_index == 5);
  CHECK(rdzv.member_count == 8);
  CHECK(rdzv.local_workers == 1);
  CHECK_FALSE(rdzv.serve);
  CHECK(rdzv.server_host == "gpu-a01");
  CHECK(rdzv.layout.first_rank == 5);
  CHECK(rdzv.layout.world_size == 8);
  CHECK(rdzv.layout.first_local_rank == 1);
  CHECK(rdzv.layout.local_world_size == 4);
  CHECK(rdzv.layout.group_rank == 1);
  CHECK(rdzv.layout.group_world_size == 2);
  CHECK(plan.job.nproc_per_node == 1);
  CHECK(plan.job.local_devices == std::vector<int>{1});  // the task's own GPU
  CHECK(rdzv.shape_notice.empty());                      // task 0 says it, once
  CHECK(plan.notices.empty());
  // OMP_NUM_THREADS: the node's cores shared by its 4 tasks, as for 4 workers.
  CHECK(plan.spec.nproc_per_node == 4);

  // Without --num_processes the tasks are the processes; task 0 says so.
  request.flags.num_processes.reset();
  host.set_gpus(1);  // SLURM bound one GPU to each task
  const LaunchPlan first = planned(request, host, slurm_per_task("0", "0"));
  CHECK(first.spec.num_processes == 8);
  CHECK(first.spec.sources.num_processes == "SLURM_NTASKS");
  CHECK(first.rendezvous.serve);
  CHECK(first.job.local_devices == std::vector<int>{0});
  REQUIRE(first.notices.size() == 1);
  CHECK(first.notices[0] ==
        "accel launch: SLURM started one accel launch per task (8 tasks on 2 nodes): each "
        "supervises one worker, RANK = SLURM_PROCID, LOCAL_RANK = SLURM_LOCALID\n");
}

TEST_CASE("flags that contradict SLURM's tasks explain both shapes", "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);
  LaunchRequest request = request_for();
  request.flags.num_processes = 16;
  CHECK(refused_in(request, host, slurm_per_task()).message ==
        "srun started 8 tasks on 2 nodes (4 per node; SLURM_NTASKS), so every task runs its own "
        "accel launch, which supervises one worker (RANK = SLURM_PROCID); but --num_processes is "
        "16, a job of 16 workers. Either start one accel launch per node (srun --ntasks=2 "
        "--ntasks-per-node=1) and keep --num_processes 16, or pass --num_processes 8 (or leave "
        "it out) for one worker per task");
  request.flags.num_processes.reset();
  request.flags.nproc_per_node = 8;
  CHECK(refused_in(request, host, slurm_per_task())
            .message.ends_with("but --nproc_per_node is 8, which asks each node for 8 workers. "
                               "Either start one accel launch per node (srun --ntasks=2 "
                               "--ntasks-per-node=1) and keep --nproc_per_node 8, or pass "
                               "--num_processes 8 (or leave "
                               "it out) for one worker per task"));
  request.flags.nproc_per_node = 4;  // per node, as SLURM placed them: fine
  CHECK(plan(request, host, slurm_per_task()).plan);
  request.flags.nproc_per_node.reset();
  Environment uneven = slurm_per_task();
  uneven["SLURM_NTASKS"] = "7";
  uneven["SLURM_TASKS_PER_NODE"] = "4,3";
  CHECK(refused_in(request, host, uneven)
            .message.ends_with("but the nodes got different numbers of tasks "
                               "(SLURM_TASKS_PER_NODE), and every machine must run the same "
                               "number of processes: ask srun for the same count on every node "
                               "(--ntasks-per-node=N)"));
}

TEST_CASE("mpirun gives no address for machine 0: it must be given", "[plan_job_environment]") {
  FakeHost host;
  LaunchRequest request = cpu_request(4);
  const Environment env{{"PATH", "/usr/bin"},
                        {"OMPI_COMM_WORLD_SIZE", "2"},
                        {"OMPI_COMM_WORLD_RANK", "1"},
                        {"OMPI_COMM_WORLD_LOCAL_SIZE", "1"}};
  CHECK(
      refused_in(request, host, env)
          .message.starts_with("when using multiple machines, you need to specify the main "
                               "process IP: OMPI_COMM_WORLD_SIZE is 2, but no --main_process_ip"));
  request.flags.main_process_ip = "head";
  const LaunchPlan plan = planned(request, host, env);
  CHECK(plan.rendezvous.member_index == 1);
  CHECK(plan.rendezvous.layout.first_rank == 2);
  CHECK_FALSE(plan.output.prefix_lines);
  // Nothing names the job: every machine derives the same id from machine 0's port,
  // however it spells machine 0's address.
  CHECK(plan.rendezvous.job_id == job_id_from_port(29500));
  CHECK(plan.rendezvous.job_id_source == "main_process_port");
  CHECK(job_id_from_port(29500).size() == 18);
  CHECK(job_id_from_port(29500) != job_id_from_port(29501));
  request.flags.main_process_ip = "10.0.0.1";
  CHECK(planned(request, host, env).rendezvous.job_id == job_id_from_port(29500));
}

TEST_CASE("PET_* variables stand for torchrun's flags", "[plan_job_environment]") {
  FakeHost host;
  LaunchRequest request = cpu_request();
  request.flags.num_processes.reset();
  const Environment env{{"PATH", "/usr/bin"},         {"PET_NNODES", "2"},
                        {"PET_NODE_RANK", "0"},       {"PET_NPROC_PER_NODE", "3"},
                        {"PET_MASTER_ADDR", "pod-0"}, {"PET_MASTER_PORT", "23456"}};
  const LaunchPlan plan = planned(request, host, env);
  CHECK(plan.spec.num_processes == 6);
  CHECK(plan.spec.sources.num_processes == "PET_NPROC_PER_NODE");
  CHECK(plan.rendezvous.serve);
  CHECK(plan.rendezvous.port == 23456);
  CHECK(plan.rendezvous.server_host == "pod-0");
  request.flags.nproc_per_node = 2;  // a flag wins
  CHECK(planned(request, host, env).spec.num_processes == 4);
}

TEST_CASE("one machine: a local store, a generated token, or the given one",
          "[plan_job_environment]") {
  FakeHost host;
  LaunchRequest request = cpu_request(2);
  LaunchPlan plan = planned(request, host);
  CHECK(plan.rendezvous.serve);
  CHECK(plan.rendezvous.member_count == 1);
  CHECK(plan.rendezvous.bind_address == "127.0.0.1");
  CHECK(plan.rendezvous.port == 0);
  CHECK(plan.rendezvous.token == "feedc0ffee42feedc0ffee42");
  CHECK_FALSE(plan.rendezvous.token_given);
  CHECK(plan.rendezvous.job_id == "feedc0ffee42");
  CHECK(plan.rendezvous.job_id_source == "random");
  CHECK(plan.job.ranks.master_port == 29500);  // choose_master_port, as before
  CHECK(plan.rendezvous.join_timeout == std::chrono::seconds(600));
  CHECK(plan.rendezvous.heartbeat_interval == std::chrono::seconds(1));
  CHECK(plan.rendezvous.heartbeat_timeout == std::chrono::seconds(10));

  plan = planned(request, host, {{"PATH", "/usr/bin"}, {"ACCEL_RDZV_TOKEN", "s3cret"}});
  CHECK(plan.rendezvous.token == "s3cret");
  CHECK(plan.rendezvous.token_given);
  CHECK_FALSE(env_value(plan.job.env, "ACCEL_RDZV_TOKEN"));  // the secret stays here
  request.rdzv_token = "flag";
  CHECK(planned(request, host, {{"PATH", "/usr/bin"}, {"ACCEL_RDZV_TOKEN", "s3cret"}})
            .rendezvous.token == "flag");
  request.rdzv_token.reset();
  CHECK(refused_in(request, host, {{"PATH", "/usr/bin"}, {"ACCEL_RDZV_TOKEN", ""}})
            .message.starts_with("ACCEL_RDZV_TOKEN is set but empty"));
}

TEST_CASE("several machines need a fixed port; --rdzv_endpoint names machine 0",
          "[plan_job_environment]") {
  FakeHost host;
  LaunchRequest request = cpu_request(4);
  request.flags.num_machines = 2;
  request.flags.machine_rank = 1;
  request.rdzv_endpoint = "node7:29400";
  request.rdzv_bind = "10.1.0.1";
  LaunchPlan plan = planned(request, host);
  CHECK(plan.rendezvous.server_host == "node7");
  CHECK(plan.rendezvous.port == 29400);
  CHECK(plan.rendezvous.bind_address == "10.1.0.1");
  CHECK(plan.job.ranks.master_addr == "node7");
  request.rdzv_endpoint.reset();
  request.flags.main_process_ip = "node7";
  request.flags.main_process_port = 0;
  CHECK(refused(request, host).message ==
        "--main_process_port 0 asks for any free port, but the other machines must know machine "
        "0's port in advance; give the same fixed port to every machine, e.g. "
        "--main_process_port 29500");
  request.flags.main_process_port = 29500;
  request.rdzv_endpoint = "other:29500";
  CHECK(refused(request, host).message ==
        "--rdzv_endpoint names machine 0 other, but --main_process_ip is node7; give one of them");
  request.rdzv_endpoint = "node7:1";
  CHECK(refused(request, host).message ==
        "--rdzv_endpoint names port 1, but --main_process_port is 29500; give one of them");
  request.rdzv_endpoint = ":1";
  CHECK(
      refused(request, host).message.starts_with("--rdzv_endpoint ':1' is not HOST or HOST:PORT"));
}

TEST_CASE("a standalone launch keeps to this machine, SLURM or not", "[plan_job_environment]") {
  FakeHost host;
  host.set_gpus(4);
  LaunchRequest request = request_for();
  request.standalone = true;
  const LaunchPlan plan = planned(request, host, slurm_per_task());
  CHECK(plan.rendezvous.shape == LaunchShape::kMachine);
  CHECK(plan.rendezvous.member_count == 1);
  CHECK(plan.spec.num_machines == 1);
  CHECK(plan.rendezvous.job_id_source == "random");
}

TEST_CASE("the launcher's own rank variables never reach the workers", "[plan_job_environment]") {
  FakeHost host;
  Environment env = {{"PATH", "/usr/bin"},
                     {"HOME", "/home/u"},
                     {"SLURM_JOB_ID", "1"},
                     {"RANK", "7"},
                     {"LOCAL_RANK", "3"},
                     {"WORLD_SIZE", "16"},
                     {"LOCAL_WORLD_SIZE", "4"},
                     {"GROUP_RANK", "1"},
                     {"GROUP_WORLD_SIZE", "4"},
                     {"ROLE_RANK", "7"},
                     {"ROLE_NAME", "trainer"},
                     {"ROLE_WORLD_SIZE", "16"},
                     {"MASTER_ADDR", "elsewhere"},
                     {"MASTER_PORT", "1234"},
                     {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                     {"TORCHELASTIC_RUN_ID", "old"},
                     {"TORCHELASTIC_ERROR_FILE", "/tmp/err.json"},
                     {"TORCHELASTIC_RESTART_COUNT", "2"},
                     {"ACCEL_STORE_ADDR", "stale"},
                     {"ACCEL_STORE_PORT", "1"},
                     {"ACCEL_JOB_ID", "old"},
                     {"ACCEL_JOB_TOKEN", "old"},
                     {"ACCEL_NODE_RANK", "3"},
                     {"ACCEL_LOCAL_DEVICE", "2"}};
  const std::vector<std::string> job_env = planned(cpu_request(2), host, env).job.env;
  for (const auto& [name, value] : env) {
    INFO(name);
    if (name == "PATH" || name == "HOME" || name == "SLURM_JOB_ID") {
      CHECK(env_value(job_env, name) == value);
    } else {
      CHECK_FALSE(env_value(job_env, name));
    }
  }
  // The torchrun path sets its own TORCHELASTIC_SIGNALS_TO_HANDLE again.
  host.set_gpus(2);
  env["TORCHELASTIC_SIGNALS_TO_HANDLE"] = "SIGUSR1";
  CHECK(env_value(planned(request_for(), host, env).job.env, "TORCHELASTIC_SIGNALS_TO_HANDLE") ==
        "SIGTERM,SIGINT,SIGHUP,SIGQUIT");
}

TEST_CASE("output: prefix templates and global rank filters", "[plan_job_environment]") {
  FakeHost host;
  LaunchRequest request = cpu_request(4);
  request.log_line_prefix_template = "[${host}:${rank}]";
  request.ranks_filter = "0,3";
  LaunchPlan plan = planned(request, host);
  CHECK(plan.output.line_prefix_template == "[${host}:${rank}]");
  CHECK(plan.output.prefix_lines);
  CHECK(plan.output.ranks_filter == std::set<int>{0, 3});
  request.ranks_filter = "4";
  CHECK(refused(request, host).message ==
        "--ranks_filter: '4' is not a rank of this job (0-3); use e.g. 0 or 0,3");
  request.ranks_filter.reset();
  request.log_line_prefix_template = "${node}";
  CHECK(refused(request, host).message ==
        "--log_line_prefix_template '${node}': unknown placeholder 'node' at offset 0; use "
        "${rank}, ${local_rank}, ${role_name} or ${host}, and $$ for a literal $");
  request.log_line_prefix_template.reset();
  plan = planned(request, host,
                 {{"PATH", "/usr/bin"}, {"TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE", "[${rank}]:"}});
  CHECK(plan.output.line_prefix_template == "[${rank}]:");
  CHECK(plan_launch(request, nullptr, "",
                    {{"PATH", "/usr/bin"}, {"TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE", "$x"}}, host)
            .error->message.starts_with("TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE '$x': unknown"));
  request.no_prefix = true;
  CHECK_FALSE(
      planned(request, host, {{"PATH", "/usr/bin"}, {"SLURM_JOB_ID", "1"}}).output.prefix_lines);
}
