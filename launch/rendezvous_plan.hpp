// What this launcher does to meet the job's other launchers ("members"),
// decided before anything starts; the cli runs the rendezvous (rendezvous/)
// from it and copies the rank layout into the supervisor's JobSpec.
//
// Members: one per machine (LaunchShape::kMachine: member index =
// machine_rank, count = num_machines), or one per SLURM task
// (kSlurmPerTask: index = SLURM_PROCID, count = SLURM_NTASKS). Member 0
// serves on main_process_port; the others join main_process_ip:port. On
// several machines the workers' MASTER_PORT is picked by member 0's server
// at run time, distinct from that port. A single member serves a store on
// 127.0.0.1 port 0 for its own workers, and MASTER_PORT is what
// choose_master_port (master_port.hpp) picked.
//
// The job id must be the same on every member: --rdzv_id, else the job
// environment's (SLURM's "<job>.<step>", PET_RDZV_ID), else, on several
// machines, one derived from main_process_port, else a fresh random id. Not
// from main_process_ip: machines may spell machine 0's address differently
// (a name and its address, or machine 0 told 127.0.0.1), and an id that
// differed would refuse the join with a job-id mismatch instead of meeting
// and reporting what is really wrong. The address adds nothing anyway: every
// member reaches the server at the one address it serves on. The token: --rdzv_token, else
// ACCEL_RDZV_TOKEN, else a random one for a single member (it is only handed
// to this launcher's own workers); several members without one run without
// authentication.
#pragma once

#include <chrono>
#include <string>

#include "base/environment.hpp"
#include "config/launch_spec.hpp"
#include "host/host_probe.hpp"
#include "launch/job_environment.hpp"
#include "launch/job_shape.hpp"
#include "launch/launch_error.hpp"
#include "launch/launch_request.hpp"

namespace accel::launch {

// The rendezvous secret when --rdzv_token is not given; never passed to workers.
inline constexpr const char* kRdzvTokenVariable = "ACCEL_RDZV_TOKEN";

// Where this launcher's workers sit in the world, for the JobSpec: worker i
// of this launcher gets RANK first_rank + i, LOCAL_RANK first_local_rank + i.
struct WorkerLayout {
  int first_rank = 0;
  int world_size = 1;        // WORLD_SIZE
  int first_local_rank = 0;  // LOCAL_RANK of the first worker
  int local_world_size = 1;  // LOCAL_WORLD_SIZE: workers on this machine, all launchers
  int group_rank = 0;        // GROUP_RANK: the machine's rank
  int group_world_size = 1;  // GROUP_WORLD_SIZE: the machines
};

struct RendezvousPlan {
  LaunchShape shape = LaunchShape::kMachine;
  bool serve = true;         // this launcher is member 0 and serves; else it joins
  std::string bind_address;  // what member 0 listens on; "" = every interface
  int port = 0;              // member 0's port (main_process_port); 0 = any free one
  std::string server_host;   // where the others connect (main_process_ip)
  std::string token;         // HMAC key; "" = no authentication
  bool token_given = false;  // from --rdzv_token or ACCEL_RDZV_TOKEN, not generated
  std::string job_id;        // TORCHELASTIC_RUN_ID; the same on every member
  std::string
      job_id_source;  // "--rdzv_id", "SLURM_JOB_ID.SLURM_STEP_ID", "main_process_port", "random"
  int member_index = 0;
  int member_count = 1;
  int local_workers = 1;  // workers this launcher supervises
  int num_processes = 1;  // workers of the whole job
  int max_restarts = 0;
  std::string script;  // the script (or module, or program), which every member must agree on
  std::chrono::milliseconds join_timeout{600000};
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{10000};
  WorkerLayout layout;
  // The one line a per-task launch prints at start ("" otherwise), ending in '\n'.
  std::string shape_notice;
};

// `spec` is resolved (flags, job environment, config file); `launcher_env`
// gives ACCEL_RDZV_TOKEN. Fails for a port several machines cannot share
// (0), or member 0's port already taken.
Problem plan_rendezvous(const LaunchRequest& request, const config::LaunchSpec& spec,
                        const JobEnvironment& job, const base::Environment& launcher_env,
                        host::HostProbe& host, RendezvousPlan& plan);

// The job id several machines derive from machine 0's port when nothing
// names the job: "accel-" and 12 hex digits of a hash of the port.
std::string job_id_from_port(int port);

}  // namespace accel::launch
