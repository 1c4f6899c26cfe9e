// What the supervisor is asked to run on this machine and what it reports
// back. The cli layer fills a JobSpec from the resolved launch configuration;
// the supervisor adds the per-worker torchrun variables (RANK, LOCAL_RANK,
// ..., see worker_env.hpp), runs every attempt, and returns a JobResult that
// the cli formats (summary.hpp). Nothing here prints.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace accel::supervisor {

// Where this launcher's workers sit in the job: what torchrun's rank
// variables say. Worker i of this launcher (0 <= i < nproc_per_node) has
// RANK first_rank + i and LOCAL_RANK first_local_rank + i.
struct RankLayout {
  int first_rank = 0;        // RANK of this launcher's first worker
  int world_size = 1;        // WORLD_SIZE: workers in the whole job
  int first_local_rank = 0;  // LOCAL_RANK of the first worker: 0, except with one launcher
                             // per SLURM task (then SLURM_LOCALID)
  int local_world_size = 1;  // LOCAL_WORLD_SIZE: workers on this machine
  int group_rank = 0;        // GROUP_RANK: this machine's rank
  int group_world_size = 1;  // GROUP_WORLD_SIZE: machines in the job

  // torchrun's static layout: `machines` machines of `nproc_per_node`
  // workers each, ranks in machine order.
  static RankLayout for_machine(int machine_rank, int machines, int nproc_per_node) {
    return RankLayout{machine_rank * nproc_per_node,
                      machines * nproc_per_node,
                      0,
                      nproc_per_node,
                      machine_rank,
                      machines};
  }
};

// What one attempt of this launcher's workers is told about the job. With
// several machines the rendezvous hands out a new one each round; a single
// machine uses the same one for every attempt (JobSpec::ranks).
struct AttemptRanks {
  RankLayout layout;
  std::string master_addr = "127.0.0.1";  // MASTER_ADDR
  int master_port = 29500;                // MASTER_PORT
  // "NAME=value" for this attempt's workers, over JobSpec::env: what is
  // known only once the machines have met (machine 0's GLOO_SOCKET_IFNAME
  // when its own name means loopback).
  std::vector<std::string> environment;
};

struct OutputOptions {
  // Prefix each forwarded line with "[rankN]:" (global rank). The cli turns
  // it on when more than one worker writes to a terminal, unless the user
  // turned it off.
  bool prefix_lines = false;
  // torchrun's --log_line_prefix_template: when set, every forwarded line
  // gets this prefix instead, whatever prefix_lines says, with ${rank},
  // ${local_rank}, ${role_name} and accel's ${host} filled in per worker
  // (line_prefix.hpp; run_job and Supervisor refuse a template it rejects).
  std::optional<std::string> line_prefix_template;
  // Only these local ranks' output reaches the console (torchrun's
  // --local_ranks_filter); nullopt = all. Log files always get everything.
  std::optional<std::set<int>> local_ranks_filter;
  // Only these global ranks' output reaches the console; nullopt = all. With
  // both filters, a worker's output must pass both.
  std::optional<std::set<int>> ranks_filter;
  // torchrun's layout: <log_dir>/<run_id>/attempt_<k>/<local_rank>/{stdout,stderr}.log
  std::optional<std::filesystem::path> log_dir;
  // With log_dir: which streams also reach the console (torchrun's --tee 1 =
  // stdout, 2 = stderr, 3 = both); the others go to the log files only.
  // Without log_dir the console always gets both.
  bool tee_stdout = false;
  bool tee_stderr = false;
  int console_stdout_fd = 1;  // where forwarded worker stdout goes
  int console_stderr_fd = 2;  // where forwarded worker stderr goes
};

struct JobSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path or a name found on PATH
  std::vector<std::string> env;   // "NAME=value": the environment common to every worker
  int nproc_per_node = 1;         // workers this launcher runs
  // The ranks of every attempt run_job starts (the Supervisor takes them per
  // attempt instead). Their layout must fit nproc_per_node workers.
  AttemptRanks ranks;
  std::string run_id;            // TORCHELASTIC_RUN_ID, also the log folder name
  std::string role = "default";  // ROLE_NAME
  std::string hostname;          // shown in the failure summary
  // CUDA device of each of this launcher's workers, in order
  // (ACCEL_LOCAL_DEVICE); empty on CPU jobs.
  std::vector<int> local_devices;
  int max_restarts = 0;
  std::chrono::milliseconds grace_period{30000};  // SIGTERM/SIGINT -> SIGKILL
  // Run each attempt in a cgroup of its own where cgroup v2 is writable
  // (job_cgroup.hpp); false: process groups and the subreaper sweep only.
  bool use_cgroup = true;
  OutputOptions output;
};

struct WorkerFailure {
  int rank = 0;
  int local_rank = 0;
  std::string host;
  pid_t pid = 0;
  int exit_code = 0;  // valid when signal == 0
  int signal = 0;     // the signal that killed it, 0 if it exited
  std::chrono::milliseconds run_time{0};
  std::vector<std::string> stderr_tail;  // last lines of its stderr, oldest first
};

struct AttemptResult {
  int attempt = 0;  // TORCHELASTIC_RESTART_COUNT of this attempt
  // The root cause first (the first worker to fail), then the others that
  // failed before the group was stopped. Workers we stopped ourselves are not
  // failures (nor are those stopped at another machine's request).
  std::vector<WorkerFailure> failures;
};

struct JobResult {
  int exit_code = 0;  // what `accel launch` exits with
  int attempts = 0;   // attempts started
  std::vector<AttemptResult> failed_attempts;
  int interrupted_by = 0;  // the signal that stopped the launcher (SIGINT, ...), 0 if none
};

}  // namespace accel::supervisor
