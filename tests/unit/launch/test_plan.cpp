// plan_launch against a fake machine: what the supervisor is asked to run,
// which machine facts are consulted, and every refusal with its exit code.
#include <catch2/catch.hpp>

#include "launch_test_support.hpp"

using namespace accel::launch;
using namespace accel::launch::testing;

TEST_CASE("a CPU job: the worker command, the shared environment, ranks and names", "[plan]") {
  FakeHost host;
  LaunchRequest request = request_for({"train.py", "--lr", "3e-4"});
  request.flags.cpu = true;
  request.flags.num_processes = 4;
  const LaunchPlan plan = planned(request, host, {{"PATH", "/usr/bin"}, {"HOME", "/home/u"}});
  const accel::supervisor::JobSpec& job = plan.job;
  CHECK(job.argv == std::vector<std::string>{"/usr/bin/python3", "train.py", "--lr", "3e-4"});
  CHECK(job.nproc_per_node == 4);
  CHECK(job.ranks.layout.first_rank == 0);
  CHECK(job.ranks.layout.world_size == 4);
  CHECK(job.ranks.layout.first_local_rank == 0);
  CHECK(job.ranks.layout.local_world_size == 4);
  CHECK(job.ranks.layout.group_rank == 0);
  CHECK(job.ranks.layout.group_world_size == 1);
  CHECK(job.ranks.master_addr == "127.0.0.1");
  CHECK(job.ranks.master_port == 29500);
  CHECK(job.run_id == "feedc0ffee42");
  CHECK(job.hostname == "node1");
  CHECK(job.local_devices.empty());
  CHECK(job.grace_period == std::chrono::seconds(30));
  CHECK(env_value(job.env, "HOME") == "/home/u");
  CHECK(env_value(job.env, "ACCELERATE_USE_CPU") == "True");
  CHECK(env_value(job.env, "OMP_NUM_THREADS") == "2");  // 8 cores / 4 workers
  CHECK_FALSE(env_value(job.env, "TORCHELASTIC_SIGNALS_TO_HANDLE"));
  CHECK(host.gpu_probes == 0);  // --cpu never loads NVML
}

TEST_CASE("notices: ignored flags first, then defaults, none with -q", "[plan]") {
  FakeHost host;
  LaunchRequest request = request_for();
  request.ignored.push_back({"--tpu_use_sudo", "TPU pods are launched by `accelerate launch`"});
  LaunchPlan plan = planned(request, host);
  REQUIRE(plan.notices.size() == 2);
  CHECK(plan.notices[0] ==
        "accel launch: --tpu_use_sudo ignored: TPU pods are launched by `accelerate launch`\n");
  CHECK(plan.notices[1].starts_with("The following values were not passed to `accel launch`"));
  request.quiet = true;
  plan = planned(request, host);
  CHECK(plan.notices.size() == 1);
}

TEST_CASE("GPUs: one device per local rank, and the torchrun path's variables", "[plan]") {
  FakeHost host;
  host.set_gpus(4);
  const LaunchPlan plan = planned(request_for(), host);
  CHECK(plan.spec.path == accel::config::LaunchPath::kMultiGpu);
  CHECK(plan.job.nproc_per_node == 4);
  CHECK(plan.job.local_devices == std::vector<int>{0, 1, 2, 3});
  CHECK(env_value(plan.job.env, "TORCHELASTIC_SIGNALS_TO_HANDLE") ==
        "SIGTERM,SIGINT,SIGHUP,SIGQUIT");
  CHECK(host.gpu_probes >= 1);
}

TEST_CASE("torchrun's --nproc_per_node auto, cpu and gpu", "[plan]") {
  FakeHost host;
  LaunchRequest request = cpu_request();
  request.nproc_per_node_keyword = "cpu";
  CHECK(planned(request, host).job.nproc_per_node == 16);  // logical CPUs
  request.nproc_per_node_keyword = "auto";
  CHECK(planned(request, host).job.nproc_per_node == 16);  // no GPU: the CPUs
  host.set_gpus(2);
  request.flags.cpu = false;
  CHECK(planned(request, host).job.nproc_per_node == 2);
  request.nproc_per_node_keyword = "gpu";
  CHECK(planned(request, host).job.nproc_per_node == 2);
  host.set_gpus(0);
  host.gpu_facts.note = "libnvidia-ml.so.1 not found";
  const LaunchError error = refused(request, host);
  CHECK(error.exit_code == 2);
  CHECK(error.message ==
        "--nproc_per_node gpu: this machine shows no GPU (libnvidia-ml.so.1 not found); give a "
        "number of processes, or cpu");
}

TEST_CASE("a machine rank must be below the number of machines", "[plan]") {
  FakeHost host;
  LaunchRequest request = cpu_request(2);
  request.flags.machine_rank = 1;
  CHECK(refused(request, host).message ==
        "--machine_rank is 1, but the job has 1 machine (the default): the only machine rank is 0");
  request.flags.machine_rank = 5;
  request.flags.num_machines = 1;
  CHECK(refused(request, host).message ==
        "--machine_rank is 5, but the job has 1 machine (--num_machines): the only machine rank "
        "is 0");
  request.flags.machine_rank = -1;
  CHECK(refused(request, host).exit_code == 2);
}

TEST_CASE("values from the config file are named as the file's keys", "[plan]") {
  FakeHost host;
  accel::config::ClusterConfig config;
  config.num_processes = 2;
  config.num_machines = 2;
  config.machine_rank = 0;
  CHECK(refused(request_for(), host, &config)
            .message.starts_with("when using multiple machines, you need to specify the main "
                                 "process IP: num_machines in /cfg/c.yaml is 2"));
  config.num_processes = 3;
  config.main_process_ip = "10.0.0.1";
  CHECK(refused(request_for(), host, &config)
            .message.starts_with("num_processes in /cfg/c.yaml is 3, which does not divide "
                                 "evenly over the 2 machines of num_machines in /cfg/c.yaml"));
  config.num_processes = 2;
  config.num_machines = 1;
  config.machine_rank = 3;
  CHECK(refused(request_for(), host, &config).message ==
        "machine_rank in /cfg/c.yaml is 3, but the job has 1 machine (num_machines in "
        "/cfg/c.yaml): the only machine rank is 0");
}

TEST_CASE("an explicit port that is taken is an error naming its holder", "[plan]") {
  FakeHost host;
  host.busy_ports[29500] = "python3 (pid 4242)";
  LaunchRequest request = cpu_request(2);
  request.flags.main_process_port = 29500;
  LaunchError error = refused(request, host);
  CHECK(error.exit_code == 2);
  CHECK(error.message ==
        "--main_process_port 29500: the port is already in use (by python3 (pid 4242)); stop "
        "what holds it, choose another port, or pass --main_process_port 0 for a free one");

  accel::config::ClusterConfig config;
  config.use_cpu = true;
  config.num_processes = 2;
  config.main_process_port = 29500;
  host.busy_ports[29500] = "";  // holder unknown (another user's process)
  error = refused(request_for(), host, &config);
  CHECK(error.message ==
        "main_process_port in /cfg/c.yaml 29500: the port is already in use; stop what holds it, "
        "choose another port, or pass --main_process_port 0 for a free one");
}

TEST_CASE("the default port, when taken, is replaced by a free one with a notice", "[plan]") {
  FakeHost host;
  host.busy_ports[29500] = "python3 (pid 4242)";
  LaunchRequest request = cpu_request(2);
  request.quiet = true;
  const LaunchPlan plan = planned(request, host);
  CHECK(plan.job.ranks.master_port == 41000);
  REQUIRE(plan.notices.size() == 1);
  CHECK(plan.notices[0] ==
        "accel launch: the default port 29500 is already in use (by python3 (pid 4242)); using "
        "free port 41000 for MASTER_PORT instead (pass --main_process_port PORT to choose one)\n");
}

TEST_CASE("port 0 and --standalone pick a free port; none free is a failure (exit 1)", "[plan]") {
  FakeHost host;
  LaunchRequest request = cpu_request();
  request.flags.main_process_port = 0;
  CHECK(planned(request, host).job.ranks.master_port == 41000);
  request.flags.main_process_port.reset();
  request.standalone = true;
  CHECK(planned(request, host).job.ranks.master_port == 41001);
  host.no_free_port_error = "socket: Permission denied";
  const LaunchError error = refused(request, host);
  CHECK(error.exit_code == 1);
  CHECK(error.message ==
        "no free TCP port for MASTER_PORT (--standalone): socket: Permission denied; pass "
        "--main_process_port with a port you know is free");
  request.flags.num_machines = 2;
  CHECK(refused(request, host).message ==
        "--standalone runs a job on this machine alone, but --num_machines is 2; drop "
        "--standalone, or --num_machines");
}

TEST_CASE("a job the limits cannot hold is refused before it starts", "[plan]") {
  FakeHost host;
  LaunchRequest request = cpu_request(10000);
  host.limits.max_open_files = 20000;
  host.limits.max_open_files_hard = 20000;
  host.limits.open_files = 6;
  LaunchError error = refused(request, host);
  CHECK(error.exit_code == 2);
  CHECK(error.message ==
        "--num_processes asks for 10000 workers on this machine, which needs about 20038 open "
        "files in the launcher (a pipe per output stream of each worker), but the limit is 20000 "
        "(ulimit -n); the hard limit is 20000, so start fewer workers on this machine");
  host.limits.max_open_files_hard.reset();
  CHECK(refused(request, host)
            .message.ends_with("raise the limit first (ulimit -n 20038), or start fewer workers"));

  host.limits = {};
  host.limits.max_user_tasks = 4096;
  host.limits.user_tasks = 100;
  request.flags.num_processes = 4000;
  CHECK(refused(request, host).message ==
        "--num_processes asks for 4000 workers on this machine, but this user may run 4096 "
        "processes and threads (ulimit -u) and already runs 100; start fewer workers, or raise "
        "the limit (ulimit -u)");
  request.flags.num_processes = 3995;
  CHECK(plan(request, host).plan);
}

TEST_CASE("the worker command is checked through the host", "[plan]") {
  FakeHost host;
  LaunchRequest request = request_for({"missing.py"});
  request.flags.cpu = true;
  const LaunchError error = refused(request, host);
  CHECK(error.exit_code == 2);
  CHECK(error.message ==
        "script missing.py cannot be opened: No such file or directory; check the path");
}

TEST_CASE("output settings: prefixes on a terminal, filters, log folders", "[plan]") {
  FakeHost host;
  LaunchRequest request = cpu_request(4);
  request.console_is_terminal = true;
  request.local_ranks_filter = "0,3";
  request.log_dir = "/logs";
  request.tee = "2";
  request.run_id = "mine";
  const LaunchPlan plan = planned(request, host);
  CHECK(plan.job.output.prefix_lines);
  CHECK(plan.job.output.local_ranks_filter == std::set<int>{0, 3});
  CHECK(plan.job.output.log_dir == std::filesystem::path("/logs"));
  CHECK_FALSE(plan.job.output.tee_stdout);
  CHECK(plan.job.output.tee_stderr);
  CHECK(plan.job.run_id == "mine");
  request.no_prefix = true;
  CHECK_FALSE(planned(request, host).job.output.prefix_lines);
  request.local_ranks_filter = "0,4";
  CHECK(refused(request, host).message ==
        "--local_ranks_filter: '4' is not a local rank of this machine (0-3); use e.g. 0 or 0,2");
}
