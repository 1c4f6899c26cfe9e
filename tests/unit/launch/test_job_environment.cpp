// Reading the job environment: SLURM steps (one launcher per node or per
// task), SLURM batch scripts, mpirun, PMI and torchrun's PET_* variables,
// and every unusable value named by its variable.
#include <catch2/catch.hpp>

#include "launch/job_environment.hpp"

using namespace accel::launch;
using accel::base::Environment;

namespace {

// srun --nodes=2 --ntasks-per-node=1 on node 1 of gpu-a[01-02].
Environment slurm_node_step() {
  return {{"SLURM_JOB_ID", "4242"},
          {"SLURM_STEP_ID", "0"},
          {"SLURM_NNODES", "2"},
          {"SLURM_STEP_NUM_NODES", "2"},
          {"SLURM_NODEID", "1"},
          {"SLURM_PROCID", "1"},
          {"SLURM_LOCALID", "0"},
          {"SLURM_NTASKS", "2"},
          {"SLURM_STEP_NUM_TASKS", "2"},
          {"SLURM_STEP_TASKS_PER_NODE", "1(x2)"},
          {"SLURM_JOB_NODELIST", "gpu-a[01-02]"},
          {"SLURM_STEP_NODELIST", "gpu-a[01-02]"},
          {"SLURM_STEP_GPUS", "0,1,2,3"}};
}

// srun --nodes=2 --ntasks-per-node=4: task 6 (node 1, local 2).
Environment slurm_task_step() {
  Environment env = slurm_node_step();
  env["SLURM_NTASKS"] = env["SLURM_STEP_NUM_TASKS"] = "8";
  env["SLURM_STEP_TASKS_PER_NODE"] = "4(x2)";
  env["SLURM_PROCID"] = "6";
  env["SLURM_LOCALID"] = "2";
  return env;
}

JobEnvironment read(const Environment& env) {
  JobEnvironment job;
  const Problem problem = read_job_environment(env, job);
  INFO((problem ? problem->message : std::string()));
  REQUIRE_FALSE(problem);
  return job;
}

std::string problem_of(const Environment& env) {
  JobEnvironment job;
  const Problem problem = read_job_environment(env, job);
  REQUIRE(problem);
  CHECK(problem->exit_code == 2);
  return problem->message;
}

}  // namespace

TEST_CASE("no job system: nothing is read", "[job_environment]") {
  const JobEnvironment job = read({{"PATH", "/usr/bin"}, {"RANK", "3"}, {"WORLD_SIZE", "8"}});
  CHECK(job.system == JobSystem::kNone);
  CHECK_FALSE(job.num_machines);
  CHECK_FALSE(job.machine_rank);
}

TEST_CASE("SLURM, one launcher per node: machines, rank, machine 0, job id, GPUs",
          "[job_environment]") {
  const JobEnvironment job = read(slurm_node_step());
  CHECK(job.system == JobSystem::kSlurm);
  REQUIRE(job.num_machines);
  CHECK(job.num_machines->value == 2);
  CHECK(job.num_machines->variable == "SLURM_STEP_NUM_NODES");
  CHECK(job.machine_rank->value == 1);
  CHECK(job.machine_rank->variable == "SLURM_NODEID");
  CHECK(job.main_process_ip->value == "gpu-a01");
  CHECK(job.main_process_ip->variable == "SLURM_STEP_NODELIST");
  CHECK(job.job_id->value == "4242.0");
  CHECK(job.gpus_per_machine->value == 4);
  CHECK(job.gpus_per_machine->variable == "SLURM_STEP_GPUS");
  CHECK_FALSE(job.task);
  CHECK(job.notices.empty());
}

TEST_CASE("SLURM GPUs: SLURM_STEP_GPUS, else CUDA_VISIBLE_DEVICES, else SLURM_GPUS_ON_NODE",
          "[job_environment]") {
  Environment env = slurm_node_step();
  env.erase("SLURM_STEP_GPUS");
  env["CUDA_VISIBLE_DEVICES"] = "GPU-aa,GPU-bb";
  env["SLURM_GPUS_ON_NODE"] = "8";
  CHECK(read(env).gpus_per_machine->value == 2);
  env.erase("CUDA_VISIBLE_DEVICES");
  CHECK(read(env).gpus_per_machine->value == 8);
  CHECK(read(env).gpus_per_machine->variable == "SLURM_GPUS_ON_NODE");
  env.erase("SLURM_GPUS_ON_NODE");
  CHECK_FALSE(read(env).gpus_per_machine);
}

TEST_CASE("a SLURM step on one node keeps MASTER_ADDR local", "[job_environment]") {
  Environment env = slurm_node_step();
  env["SLURM_NNODES"] = env["SLURM_STEP_NUM_NODES"] = "1";
  env["SLURM_NODEID"] = "0";
  env["SLURM_NTASKS"] = env["SLURM_STEP_NUM_TASKS"] = "1";
  env["SLURM_STEP_TASKS_PER_NODE"] = "1";
  CHECK_FALSE(read(env).main_process_ip);
  // Four tasks on the node meet at its name.
  env["SLURM_NTASKS"] = env["SLURM_STEP_NUM_TASKS"] = "4";
  env["SLURM_STEP_TASKS_PER_NODE"] = "4";
  CHECK(read(env).main_process_ip->value == "gpu-a01");
}

TEST_CASE("SLURM, one launcher per task: the task's place", "[job_environment]") {
  const JobEnvironment job = read(slurm_task_step());
  REQUIRE(job.task);
  CHECK(job.task->proc_id.value == 6);
  CHECK(job.task->local_id.value == 2);
  CHECK(job.task->num_tasks.value == 8);
  CHECK(job.task->num_tasks.variable == "SLURM_STEP_NUM_TASKS");
  CHECK(job.task->tasks_on_node.value == 4);
  CHECK(job.task->tasks_per_node == std::vector<int>{4, 4});
  CHECK(job.machine_rank->value == 1);
  CHECK_FALSE(job.gpus_per_machine);

  Environment env = slurm_task_step();
  env.erase("SLURM_STEP_TASKS_PER_NODE");
  env["SLURM_TASKS_PER_NODE"] = "5,3";
  CHECK(read(env).task->tasks_on_node.value == 3);
  env.erase("SLURM_TASKS_PER_NODE");
  env["SLURM_NTASKS_PER_NODE"] = "4";
  CHECK(read(env).task->tasks_on_node.variable == "SLURM_NTASKS_PER_NODE");
}

TEST_CASE("a SLURM batch script is one process: a notice when the job has several nodes",
          "[job_environment]") {
  const JobEnvironment job = read({{"SLURM_JOB_ID", "4242"},
                                   {"SLURM_NNODES", "4"},
                                   {"SLURM_NODEID", "0"},
                                   {"SLURM_PROCID", "0"},
                                   {"SLURM_JOB_NODELIST", "n[1-4]"}});
  CHECK(job.system == JobSystem::kSlurm);
  CHECK_FALSE(job.num_machines);
  CHECK_FALSE(job.job_id);
  REQUIRE(job.notices.size() == 1);
  CHECK(job.notices[0] ==
        "accel launch: this SLURM job has 4 nodes (SLURM_NNODES), but accel launch was not "
        "started by srun, so it runs on this node alone; use `srun --ntasks=4 "
        "--ntasks-per-node=1 accel launch ...` to use every node\n");
  CHECK(read({{"SLURM_JOB_ID", "1"}, {"SLURM_NNODES", "1"}}).notices.empty());
}

TEST_CASE("a SLURM value that is empty or not a number is an error naming it",
          "[job_environment]") {
  Environment env = slurm_node_step();
  env["SLURM_NODEID"] = "";
  CHECK(problem_of(env) ==
        "SLURM_NODEID='' in the environment is not a number of 0 or more, but accel launch reads "
        "it for --machine_rank; fix what sets it (a job script quoting an unset variable?), or "
        "pass --machine_rank yourself");
  env = slurm_node_step();
  env["SLURM_STEP_NUM_NODES"] = "two";
  CHECK(
      problem_of(env).starts_with("SLURM_STEP_NUM_NODES='two' in the environment is not a "
                                  "number of 1 or more"));
  env = slurm_node_step();
  env.erase("SLURM_NODEID");
  CHECK(problem_of(env) ==
        "SLURM_NODEID is not set, but srun started accel launch and the job's shape comes from "
        "it; run accel launch through srun, or pass --machine_rank");
  env = slurm_node_step();
  env["SLURM_STEP_NODELIST"] = "n[2-1]";
  CHECK(problem_of(env) ==
        "SLURM_STEP_NODELIST='n[2-1]' in the environment cannot be read ('n[2-1]': the range 2-1 "
        "runs backwards); accel launch reads machine 0's address from it: pass "
        "--main_process_ip");
  env = slurm_task_step();
  env["SLURM_STEP_TASKS_PER_NODE"] = "4(x3)";
  CHECK(problem_of(env) ==
        "SLURM_STEP_TASKS_PER_NODE='4(x3)' in the environment does not list 2 nodes; accel "
        "launch reads it for the tasks on each node");
  env = slurm_node_step();
  env["SLURM_NODEID"] = "2";
  CHECK(problem_of(env) ==
        "SLURM_NODEID 2 is not a node of the 2 in SLURM_STEP_NUM_NODES; the SLURM environment is "
        "inconsistent");
}

TEST_CASE("Open MPI: one launcher per machine", "[job_environment]") {
  JobEnvironment job = read({{"OMPI_COMM_WORLD_SIZE", "3"},
                             {"OMPI_COMM_WORLD_RANK", "2"},
                             {"OMPI_COMM_WORLD_LOCAL_SIZE", "1"},
                             {"SLURM_JOB_ID", "7"},  // mpirun inside an allocation
                             {"SLURM_STEP_ID", "0"}});
  CHECK(job.system == JobSystem::kOpenMpi);
  CHECK(job.num_machines->value == 3);
  CHECK(job.num_machines->variable == "OMPI_COMM_WORLD_SIZE");
  CHECK(job.machine_rank->value == 2);
  CHECK_FALSE(job.main_process_ip);  // mpirun does not say: flag or config
  CHECK(problem_of({{"OMPI_COMM_WORLD_SIZE", "8"},
                    {"OMPI_COMM_WORLD_RANK", "0"},
                    {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}}) ==
        "mpirun started 4 copies of accel launch on this machine (OMPI_COMM_WORLD_LOCAL_SIZE), "
        "but accel launch starts a machine's workers itself: start one per machine (mpirun "
        "--map-by ppr:1:node, or -N 1)");
}

TEST_CASE("PMI (MPICH, Intel MPI)", "[job_environment]") {
  const JobEnvironment job = read({{"PMI_SIZE", "2"}, {"PMI_RANK", "1"}});
  CHECK(job.system == JobSystem::kPmi);
  CHECK(job.num_machines->value == 2);
  CHECK(job.machine_rank->variable == "PMI_RANK");
  CHECK(problem_of({{"PMI_SIZE", "2"}, {"PMI_RANK", "x"}}).starts_with("PMI_RANK='x'"));
}

TEST_CASE("torchrun's PET_* variables, as a Kubeflow PyTorchJob sets them", "[job_environment]") {
  const JobEnvironment job = read({{"PET_NNODES", "2"},
                                   {"PET_NODE_RANK", "1"},
                                   {"PET_NPROC_PER_NODE", "8"},
                                   {"PET_MASTER_ADDR", "job-master-0"},
                                   {"PET_MASTER_PORT", "23456"},
                                   {"RANK", "1"},  // PyTorchJob's pod rank: not read
                                   {"WORLD_SIZE", "2"}});
  CHECK(job.system == JobSystem::kTorchrun);
  CHECK(job.num_machines->value == 2);
  CHECK(job.machine_rank->value == 1);
  CHECK(job.nproc_per_node->value == "8");
  CHECK(job.main_process_ip->value == "job-master-0");
  CHECK(job.main_process_port->value == 23456);
  CHECK(job.main_process_port->variable == "PET_MASTER_PORT");
  CHECK_FALSE(job.job_id);

  CHECK(read({{"PET_NNODES", "2:2"}}).num_machines->value == 2);
  CHECK(problem_of({{"PET_NNODES", "1:4"}})
            .starts_with(
                "PET_NNODES='1:4' in the environment asks for an elastic range of machines"));
  const JobEnvironment endpoint = read({{"PET_RDZV_ENDPOINT", "[fd00::1]:29400"},
                                        {"PET_MASTER_ADDR", "ignored"},
                                        {"PET_RDZV_ID", "job-7"}});
  CHECK(endpoint.main_process_ip->value == "fd00::1");
  CHECK(endpoint.main_process_port->value == 29400);
  CHECK(endpoint.job_id->value == "job-7");
  CHECK(problem_of({{"PET_MASTER_PORT", "http"}}).starts_with("PET_MASTER_PORT='http'"));
}
