// What `accel launch` would do on this machine, answered by the launcher's
// own code: the flags after `accel env --` parsed as `accel launch` parses
// them (cli/launch_flags.hpp), the config file it would read, and
// launch::plan_launch against the real machine. Nothing is started.
//
// `accel env` has no script, so a placeholder stands in for one, and the
// probe says the placeholder is an executable file: the plan then answers
// for the launch itself, not for a script that is not there. A script given
// after `--` is checked like any other.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/env_report.hpp"
#include "cli/errors.hpp"
#include "cli/launch_flags.hpp"
#include "config/config_path.hpp"
#include "config/config_reader.hpp"
#include "launch/plan.hpp"

namespace accel::cli {

namespace {

constexpr const char* kPlaceholderScript = "<script>";
constexpr std::size_t kConfigContentLimit = 64 * 1024;

// The machine as the HostProbe given, except that the placeholder script
// exists and may be run.
class PlaceholderScriptProbe : public host::HostProbe {
 public:
  explicit PlaceholderScriptProbe(host::HostProbe& real) : real_(real) {}

  host::GpuFacts gpus() override { return real_.gpus(); }
  int physical_cpu_cores() override { return real_.physical_cpu_cores(); }
  int logical_cpus() override { return real_.logical_cpus(); }
  std::string hostname() override { return real_.hostname(); }
  host::ProcessLimits process_limits() override { return real_.process_limits(); }
  host::PortProbe probe_port(int port) override { return real_.probe_port(port); }
  std::optional<int> pick_free_port(std::string& error) override {
    return real_.pick_free_port(error);
  }
  std::string describe_port_holder(int port) override { return real_.describe_port_holder(port); }
  host::FileStatus file_status(const std::string& path) override {
    if (path == kPlaceholderScript || path == std::string("./") + kPlaceholderScript) {
      return host::FileStatus{0, true, true, true};
    }
    return real_.file_status(path);
  }
  std::optional<std::string> find_on_path(std::string_view name,
                                          std::string_view path_env) override {
    return real_.find_on_path(name, path_env);
  }
  std::string current_directory() override { return real_.current_directory(); }
  std::string random_run_id() override { return real_.random_run_id(); }

 private:
  host::HostProbe& real_;
};

std::string without_newline(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string read_capped(const std::string& path) {
  std::ifstream in(path);
  std::string content(kConfigContentLimit, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() == kConfigContentLimit) content += "\n... (cut at 64 KiB)";
  return content;
}

const char* describe(config::LaunchPath path) {
  switch (path) {
    case config::LaunchPath::kSimple: return "simple";
    case config::LaunchPath::kMultiGpu: return "multi_gpu";
    case config::LaunchPath::kFsdp: return "fsdp";
    case config::LaunchPath::kDeepspeed: return "deepspeed";
  }
  return "unknown";
}

std::string origin(const std::string& source) {
  return source.empty() ? "default" : source;
}

// The plan's answers, with where each came from.
void describe_plan(const launch::LaunchPlan& plan, LaunchReport& report) {
  const config::LaunchSpec& spec = plan.spec;
  const launch::RendezvousPlan& rdzv = plan.rendezvous;
  report.launch_path = describe(spec.path);
  report.use_cpu = spec.use_cpu;
  report.job_system =
      plan.job_system == launch::JobSystem::kNone ? "none" : launch::describe(plan.job_system);
  report.num_processes = {std::to_string(spec.num_processes), origin(spec.sources.num_processes)};
  report.processes_per_machine = {std::to_string(rdzv.local_workers),
                                  origin(spec.sources.num_processes)};
  report.num_machines = {std::to_string(spec.num_machines), origin(spec.sources.num_machines)};
  report.machine_rank = {std::to_string(spec.machine_rank), origin(spec.sources.machine_rank)};
  report.first_rank = rdzv.layout.first_rank;
  report.last_rank = rdzv.layout.first_rank + rdzv.local_workers - 1;
  if (rdzv.member_count > 1) {
    report.rendezvous_role = rdzv.serve ? "serves" : "joins";
    const std::string source = "address from " + origin(spec.sources.main_process_ip) +
                               ", port from " + origin(spec.sources.master_port);
    report.rendezvous_endpoint = {rdzv.server_host + ":" + std::to_string(rdzv.port), source};
  } else {
    // One machine: the workers meet at MASTER_ADDR:MASTER_PORT on this host.
    report.rendezvous_role = "local";
    report.rendezvous_endpoint = {spec.master_addr + ":" + std::to_string(spec.master_port),
                                  origin(spec.sources.master_port)};
  }
  report.run_id = {rdzv.job_id, rdzv.job_id_source};
  for (const std::string& notice : plan.notices) report.notices.push_back(without_newline(notice));
}

}  // namespace

ConfigReport read_config_report(const std::optional<std::string>& config_file,
                                const base::Environment& environment) {
  ConfigReport report;
  report.path_source = config_file ? "--config_file" : "default";
  report.path =
      config_file ? *config_file : config::default_config_path(base::lookup_in(environment));
  std::error_code error;
  report.exists = std::filesystem::is_regular_file(report.path, error);
  if (!report.exists) return report;
  report.content = read_capped(report.path);
  const config::LoadResult loaded = config::load_config(report.path);
  report.valid = loaded.ok();
  if (!loaded.ok()) report.error = without_newline(config::format(loaded.diagnostics));
  for (const config::Diagnostic& warning : loaded.warnings) {
    report.warnings.push_back(without_newline(config::format(warning)));
  }
  return report;
}

LaunchReport plan_launch_report(const EnvInputs& inputs) {
  LaunchReport report;
  report.flags = inputs.launch_flags;
  std::vector<std::string> args = inputs.launch_flags;
  if (inputs.config_file) args.insert(args.begin(), {"--config_file", *inputs.config_file});
  args.emplace_back(kPlaceholderScript);
  launch::LaunchRequest request;
  try {
    request = parse_launch_arguments(args);
  } catch (const UserError& e) {
    report.error = e.what();
    return report;
  }
  // A script given after `--` took the placeholder as its first argument.
  if (request.command.size() > 1 && request.command.back() == kPlaceholderScript) {
    request.command.pop_back();
  }

  const std::string default_path = config::default_config_path(base::lookup_in(inputs.environment));
  std::error_code error;
  const bool default_exists = std::filesystem::is_regular_file(default_path, error);
  const auto path = config::config_file_to_load(request.flags, default_path, default_exists);
  report.config_file = path.value_or("");
  std::optional<config::ClusterConfig> cluster;
  if (path) {
    config::LoadResult loaded = config::load_config(*path);
    if (!loaded.ok()) {
      report.error = "the config file " + *path + " cannot be used:\n" +
                     without_newline(config::format(loaded.diagnostics));
      return report;
    }
    cluster = std::move(loaded.config);
  }

  PlaceholderScriptProbe probe(*inputs.host);
  const launch::PlanResult planned = launch::plan_launch(
      request, cluster ? &*cluster : nullptr, report.config_file, inputs.environment, probe);
  if (!planned.plan) {
    report.error = planned.error->message;
    return report;
  }
  report.ok = true;
  describe_plan(*planned.plan, report);
  return report;
}

}  // namespace accel::cli
