// `accel env [--json] [--no_python] [--config_file F] [-- launch flags...]`:
// binds the flags, wires the real machine into EnvInputs and prints the
// report (cli/env_report.hpp) on stdout.
#include <CLI/CLI.hpp>

#include <chrono>
#include <memory>
#include <ostream>

#include "cli/command.hpp"
#include "cli/env_report.hpp"

namespace accel::cli {

namespace {

// The one slow fact: an interpreter that does not answer in this time is
// reported as such.
constexpr std::chrono::seconds kPythonTimeout{10};

struct EnvOptions {
  bool json = false;
  bool no_python = false;
  std::optional<std::string> config_file;
  std::vector<std::string> launch_flags;
};

host::PythonFacts probe_python(const base::Environment& environment) {
  host::PythonFacts facts;
  std::string source;
  const auto interpreter = host::find_python(base::lookup_in(environment), source);
  if (!interpreter) {
    facts.probed = true;
    facts.interpreter_source = source;
    facts.note = source == "PATH" ? "no python3 on PATH" : "ACCEL_PYTHON names no program";
    return facts;
  }
  facts = host::probe_python(*interpreter, kPythonTimeout);
  facts.interpreter_source = source;
  return facts;
}

int run_env(const EnvOptions& options, Console& console) {
  EnvInputs inputs;
  inputs.environment = base::current_environment();
  inputs.loader = &host::system_loader();
  if (!options.no_python) inputs.python = probe_python;
  inputs.interfaces = host::list_interface_addresses;
  host::SystemHostProbe host(inputs.environment);
  inputs.host = &host;
  inputs.config_file = options.config_file;
  inputs.launch_flags = options.launch_flags;
  const EnvReport report = gather_env_report(inputs);
  console.out << (options.json ? render_json(report) : render_text(report)) << std::flush;
  return 0;
}

}  // namespace

void setup_env(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<EnvOptions>();
  CLI::App* env = app.add_subcommand(
      "env",
      "Print what a bug report needs: accel, the system, Python, GPUs, network, job, "
      "config, and what `accel launch` would do here");
  env->footer(
      "Launch flags after `--` are planned as `accel launch` would plan them, e.g.\n"
      "  accel env -- --num_processes 4 --cpu\n"
      "Nothing is started. The JSON fields are documented in docs/env.md.");
  env->add_flag("--json", options->json, "One JSON document instead of text");
  env->add_flag("--no_python,--no-python", options->no_python,
                "Skip the Python probe (the only part that starts a process)");
  env->add_option("--config_file,--config-file", options->config_file,
                  "The config file to report and plan with (default: Accelerate's "
                  "default_config.yaml)");
  env->add_option("launch_flags", options->launch_flags, "`accel launch` flags, after `--`")
      ->type_name("-- FLAGS...");
  env->callback([options, &invocation] {
    invocation.run = [options](Console& console) { return run_env(*options, console); };
  });
}

}  // namespace accel::cli
