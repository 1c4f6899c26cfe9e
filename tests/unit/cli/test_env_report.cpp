// `accel env`'s report on fake inputs: a fake root, environment, loader,
// interfaces and machine, so each section's content is checked without the
// machine that runs the test. The real binary: tests/integration/test_env_command.py.
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/env_report.hpp"
#include "tests/unit/launch/fake_host.hpp"
#include "tests/unit/scratch_dir.hpp"

using namespace accel::cli;
using accel::testing::ScratchDir;

namespace {

// No library loads: a machine without the NVIDIA driver or NCCL.
class NothingLoads : public accel::host::DynamicLoader {
 public:
  void* open(const char* soname, std::string& error) override {
    error = std::string(soname) + ": cannot open shared object file";
    return nullptr;
  }
  void* symbol(void*, const char*) override { return nullptr; }
  void close(void*) override {}
};

struct Fixture {
  ScratchDir root;
  NothingLoads loader;
  accel::launch::testing::FakeHost host;
  EnvInputs inputs;

  Fixture() {
    root.write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    root.write("proc/meminfo", "MemTotal: 4194304 kB\nMemAvailable: 2097152 kB\n");
    inputs.root = root.path();
    inputs.environment = {{"PATH", "/usr/bin"},
                          {"HF_HOME", (root.path() / "hf").string()},
                          {"NCCL_DEBUG", "INFO"},
                          {"ACCEL_RDZV_TOKEN", "s3cret"},
                          {"HOME", "/home/someone"}};
    inputs.loader = &loader;
    inputs.interfaces = [] {
      return std::vector<accel::host::InterfaceAddress>{{"lo", AF_INET, "127.0.0.1", true},
                                                        {"eth0", AF_INET, "10.0.0.5", true}};
    };
    inputs.host = &host;
  }
  EnvReport gather() { return gather_env_report(inputs); }
};

}  // namespace

TEST_CASE("no GPU, no python probe: the report says so and still has every section",
          "[env_report]") {
  Fixture f;
  const EnvReport report = f.gather();
  CHECK(report.system.os == "Debian GNU/Linux 12 (bookworm)");
  CHECK_FALSE(report.python.probed);
  CHECK_FALSE(report.gpus.nvml_found);
  const std::string text = render_text(report);
  CHECK_THAT(text, Catch::StartsWith("Copy-and-paste the text below in your GitHub issue\n"));
  CHECK_THAT(text, Catch::Contains("- GPUs: none: no NVIDIA driver (libnvidia-ml.so.1 not found)"));
  CHECK_THAT(text, Catch::Contains("- python: not probed (--no_python)"));
  CHECK_THAT(text,
             Catch::Contains("- NCCL would use: eth0 (automatic (^docker,lo); bootstrap on eth0)"));
  CHECK_THAT(text, Catch::Contains("- RAM: 4.0 GiB total, 2.0 GiB available"));
  for (const char* group : {"\naccel\n", "\nSystem\n", "\nPython\n", "\nGPUs\n", "\nNetwork\n",
                            "\nJob\n", "\nEnvironment\n", "\nConfig\n", "\naccel launch here\n"}) {
    CHECK_THAT(text, Catch::Contains(group));
  }
}

TEST_CASE("relevant variables are shown, secrets hidden, the rest left out", "[env_report]") {
  Fixture f;
  const auto shown = relevant_variables(f.inputs.environment);
  CHECK(shown.at("NCCL_DEBUG") == "INFO");
  CHECK(shown.at("ACCEL_RDZV_TOKEN") == "(set, hidden)");
  CHECK(shown.contains("HF_HOME"));
  CHECK_FALSE(shown.contains("HOME"));
  CHECK_FALSE(shown.contains("PATH"));
  CHECK_THAT(render_text(f.gather()), !Catch::Contains("s3cret"));
}

TEST_CASE("the default config: missing, valid, or invalid with the reason", "[env_report]") {
  Fixture f;
  const std::string default_path = (f.root.path() / "hf/accelerate/default_config.yaml").string();
  ConfigReport missing = read_config_report(std::nullopt, f.inputs.environment);
  CHECK(missing.path == default_path);
  CHECK(missing.path_source == "default");
  CHECK_FALSE(missing.exists);

  f.root.write("hf/accelerate/default_config.yaml",
               "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\nnum_processes: 2\n"
               "use_cpu: true\n");
  const ConfigReport valid = read_config_report(std::nullopt, f.inputs.environment);
  CHECK(valid.exists);
  CHECK(valid.valid);
  CHECK_THAT(valid.content, Catch::Contains("num_processes: 2"));

  const std::string bad = f.root.write("bad.yaml", "num_processes: many\n");
  const ConfigReport invalid = read_config_report(bad, f.inputs.environment);
  CHECK(invalid.path_source == "--config_file");
  CHECK_FALSE(invalid.valid);
  CHECK_THAT(invalid.error, Catch::Contains("num_processes"));
}

TEST_CASE("launch flags after --: the values and where each came from", "[env_report]") {
  Fixture f;
  f.inputs.launch_flags = {"--num_processes", "4", "--cpu"};
  const LaunchReport launch = plan_launch_report(f.inputs);
  REQUIRE(launch.ok);
  CHECK(launch.num_processes.value == "4");
  CHECK(launch.num_processes.source == "--num_processes");
  CHECK(launch.processes_per_machine.value == "4");
  CHECK(launch.num_machines.value == "1");
  CHECK(launch.num_machines.source == "default");
  CHECK(launch.first_rank == 0);
  CHECK(launch.last_rank == 3);
  CHECK(launch.launch_path == "simple");
  CHECK(launch.use_cpu);
  CHECK(launch.rendezvous_role == "local");
  CHECK(launch.rendezvous_endpoint.value == "127.0.0.1:29500");
}

TEST_CASE("the config file's values are sourced to it", "[env_report]") {
  Fixture f;
  const std::string config =
      f.root.write("two.yaml",
                   "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\n"
                   "num_processes: 2\nnum_machines: 1\nuse_cpu: true\n");
  f.inputs.config_file = config;
  const LaunchReport launch = plan_launch_report(f.inputs);
  REQUIRE(launch.ok);
  CHECK(launch.config_file == config);
  CHECK(launch.num_processes.value == "2");
  CHECK_THAT(launch.num_processes.source, Catch::Contains("two.yaml"));
}

TEST_CASE("a --config_file among the launch flags is the config reported", "[env_report]") {
  Fixture f;
  const std::string config =
      f.root.write("after.yaml",
                   "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\n"
                   "num_processes: 3\nuse_cpu: true\n");
  f.inputs.launch_flags = {"--config_file", config};
  const EnvReport report = f.gather();
  CHECK(report.config.path == config);
  CHECK(report.config.path_source == "--config_file");
  CHECK(report.config.valid);
  CHECK(report.launch.num_processes.value == "3");
}

TEST_CASE("SLURM's variables place this machine in the job", "[env_report]") {
  Fixture f;
  f.inputs.environment.insert({{"SLURM_JOB_ID", "77"},
                               {"SLURM_STEP_ID", "0"},
                               {"SLURM_NNODES", "2"},
                               {"SLURM_NODEID", "1"},
                               {"SLURM_NTASKS", "2"},
                               {"SLURM_STEP_NODELIST", "node[1-2]"},
                               {"SLURM_JOB_NODELIST", "node[1-2]"}});
  f.inputs.launch_flags = {"--cpu", "--num_processes", "4"};
  const EnvReport report = f.gather();
  CHECK(report.job.system == "SLURM");
  CHECK(report.job.variables.at("SLURM_NODEID") == "1");
  const LaunchReport& launch = report.launch;
  REQUIRE(launch.ok);
  CHECK(launch.machine_rank.value == "1");
  CHECK(launch.machine_rank.source == "SLURM_NODEID");
  CHECK(launch.num_machines.source == "SLURM_NNODES");
  CHECK(launch.first_rank == 2);
  CHECK(launch.last_rank == 3);
  CHECK(launch.rendezvous_role == "joins");
  CHECK_THAT(launch.rendezvous_endpoint.value, Catch::StartsWith("node1:"));
}

TEST_CASE("a launch that would fail says why", "[env_report]") {
  Fixture f;
  f.inputs.launch_flags = {"--num_processes", "many"};
  LaunchReport launch = plan_launch_report(f.inputs);
  CHECK_FALSE(launch.ok);
  CHECK_THAT(launch.error, Catch::Contains("--num_processes"));
  f.inputs.launch_flags = {"--num_machines", "2", "--cpu"};
  launch = plan_launch_report(f.inputs);
  CHECK_FALSE(launch.ok);
  CHECK_THAT(launch.error, Catch::Contains("main_process_ip"));
  CHECK_THAT(render_text(f.gather()), Catch::Contains("- would fail: "));
}

TEST_CASE("the JSON document has every section and nulls for unknown facts", "[env_report]") {
  Fixture f;
  f.inputs.launch_flags = {"--num_processes", "4", "--cpu"};
  const auto json = nlohmann::json::parse(render_json(f.gather()));
  for (const char* section : {"accel", "system", "python", "gpus", "nccl", "network", "job",
                              "environment", "config", "launch"}) {
    CHECK(json.contains(section));
  }
  CHECK(json["gpus"]["count"] == 0);
  CHECK(json["gpus"]["nvml_found"] == false);
  CHECK(json["gpus"]["driver_version"].is_null());
  CHECK(json["python"]["probed"] == false);
  CHECK(json["network"]["nccl_interfaces"] == nlohmann::json::array({"eth0"}));
  CHECK(json["launch"]["num_processes"]["value"] == "4");
  CHECK(json["launch"]["num_processes"]["source"] == "--num_processes");
  CHECK(json["environment"]["ACCEL_RDZV_TOKEN"] == "(set, hidden)");
}
