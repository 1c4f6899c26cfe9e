// `accel env`: the facts a bug report or a first look at a new node needs,
// gathered once into an EnvReport and rendered as the text users paste into
// an issue (Accelerate's "- key: value" lines, grouped) or as one JSON
// document (field names documented in docs/env.md).
//
// Gathering never fails: a fact that cannot be learned is empty or "not
// found" and the report says why. Everything that touches the machine comes
// through EnvInputs -- the root of /proc, /sys and /etc, the environment,
// the dlopen seam, the Python probe, the interface list and the HostProbe
// launch planning asks -- so unit tests build a whole report on fake
// inputs. Only the Python probe is slow (one subprocess, 10 s at most); the
// rest answers in milliseconds.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/environment.hpp"
#include "host/dynamic_loader.hpp"
#include "host/gpu_inventory.hpp"
#include "host/host_probe.hpp"
#include "host/network_facts.hpp"
#include "host/python_facts.hpp"
#include "host/system_facts.hpp"

namespace accel::cli {

// How this accel binary was built.
struct BuildFacts {
  std::string version;
  std::string compiler;    // "GCC 12.2.0"
  std::string build_type;  // CMAKE_BUILD_TYPE
  std::string cuda;        // the CUDA toolkit found at configure time, or "none"
  std::string nccl;        // the NCCL headers found at configure time, or "none"
};
BuildFacts build_facts();

struct NetworkReport {
  std::vector<host::InterfaceAddress> addresses;
  std::optional<std::string> nccl_socket_ifname;
  std::optional<std::string> nccl_socket_family;
  host::NcclInterfaceChoice nccl;
  std::vector<host::InfinibandDevice> infiniband;
  std::string note;  // why the interface list is missing
};

struct JobReport {
  std::string system;  // launch::describe(JobSystem), "none" outside a job
  std::string error;   // a job variable launch would refuse, with its reason
  std::map<std::string, std::string> variables;  // SLURM_*, OMPI_*, PMI_*, PMIX_*, PET_*
};

struct ConfigReport {
  std::string path;
  std::string path_source;  // "--config_file" or "default"
  bool exists = false;
  std::string content;  // the file as written (capped at 64 KiB)
  bool valid = false;
  std::string error;  // why it does not load; "" when valid or missing
  std::vector<std::string> warnings;
};

// A value of the launch and where it came from: a flag ("--num_processes"),
// a variable ("SLURM_NNODES"), a config key ("num_processes in /x.yaml") or
// "default".
struct SourcedValue {
  std::string value;
  std::string source;
};

struct LaunchReport {
  std::vector<std::string> flags;  // given after `accel env --`
  bool ok = false;
  std::string error;        // why `accel launch` would refuse, when !ok
  std::string config_file;  // the file it would read, "" for none
  std::string launch_path;  // "simple", "multi_gpu", "fsdp", "deepspeed"
  bool use_cpu = false;
  std::string job_system;
  SourcedValue num_processes;          // the whole job
  SourcedValue processes_per_machine;  // workers this launcher starts
  SourcedValue num_machines;
  SourcedValue machine_rank;
  int first_rank = 0;  // this machine's global ranks: first_rank ... last_rank
  int last_rank = 0;
  SourcedValue rendezvous_endpoint;  // host:port
  std::string rendezvous_role;       // "serves", "joins", "local" (one machine)
  SourcedValue run_id;
  std::vector<std::string> notices;  // what `accel launch` would print first
};

struct EnvReport {
  BuildFacts accel;
  host::SystemFacts system;
  host::PythonFacts python;
  host::GpuInventory gpus;
  std::optional<std::string> cuda_visible_devices;
  int visible_gpus = 0;
  NetworkReport network;
  JobReport job;
  std::map<std::string, std::string> environment;  // the relevant variables, secrets hidden
  ConfigReport config;
  LaunchReport launch;
};

struct EnvInputs {
  std::filesystem::path root = "/";
  base::Environment environment;
  host::DynamicLoader* loader = nullptr;
  // nullptr: skip the probe (--no_python).
  std::function<host::PythonFacts(const base::Environment&)> python;
  std::function<std::vector<host::InterfaceAddress>()> interfaces;
  host::HostProbe* host = nullptr;         // asked by launch planning
  std::optional<std::string> config_file;  // `accel env --config_file`
  std::vector<std::string> launch_flags;   // after `accel env --`
};

EnvReport gather_env_report(const EnvInputs& inputs);

// The parts, for tests.
ConfigReport read_config_report(const std::optional<std::string>& config_file,
                                const base::Environment& environment);
LaunchReport plan_launch_report(const EnvInputs& inputs);
// Which variables the report shows, and their values (secrets hidden).
std::map<std::string, std::string> relevant_variables(const base::Environment& environment);

std::string render_text(const EnvReport& report);
std::string render_json(const EnvReport& report);  // one document, two-space indented

}  // namespace accel::cli
