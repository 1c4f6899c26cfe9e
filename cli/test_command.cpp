// `accel test`: Accelerate's sanity job for accel's own runtime. It launches
// accel itself as the worker (`accel __test_worker`, test_worker.hpp)
// through the real launcher -- config file, planning, supervision as
// `accel launch` -- on the CPU, with the config's num_processes or 2, and
// prints "Test is a success!" or every failed check with its rank
// (test_report.hpp). It takes `accel launch`'s flags.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/environment.hpp"
#include "cli/command.hpp"
#include "cli/device_memory.hpp"
#include "cli/errors.hpp"
#include "cli/launch_command.hpp"
#include "cli/launch_flags.hpp"
#include "cli/test_report.hpp"
#include "cli/test_worker.hpp"
#include "cli/worker_launch.hpp"
#include "config/config_path.hpp"

namespace accel::cli {

namespace {

constexpr const char* kWorkerCommand = "__test_worker";
constexpr int kDefaultProcesses = 2;

constexpr const char* kTestDescription =
    "Check that distributed jobs work on this machine: runs accel's built-in test worker through "
    "the real launcher (on the CPU; num_processes from the config file, else 2) and checks the "
    "launcher's environment, the job's store, barriers, main_process_first's order, and every "
    "collective x type x op against known results. Prints \"Test is a success!\" or what failed "
    "on which rank.\n"
    "--device cuda runs the collectives on GPU buffers (NCCL), one process per visible GPU "
    "unless --num_processes says otherwise.\n"
    "Takes accel launch's flags (accel launch --help), e.g. --config_file, --num_processes.";

constexpr const char* kDeviceFlag = "--device";

// The launch a `test` line asks for: its flags as `accel launch` reads them,
// accel itself as the worker, and the test's defaults.
launch::LaunchRequest test_request(const std::vector<std::string>& launch_args,
                                   const std::string& device,
                                   const base::Environment& launcher_env) {
  if (device != "cpu" && device != "cuda") {
    throw UserError("--device: '" + device + "' is not cpu or cuda");
  }
  const bool on_device = device == "cuda";
  std::vector<std::string> args = launch_args;
  // Refused before anything starts, with what is missing.
  const int gpus = on_device ? visible_cuda_devices() : 0;
  args.emplace_back(kWorkerCommand);  // a stand-in script, replaced below
  launch::LaunchRequest request = parse_launch_arguments(args);
  if (request.command.size() != 1) {
    throw UserError("accel test takes accel launch's flags only, not a script: '" +
                    request.command.front() + "' is not a flag (see accel launch --help)");
  }
  std::vector<std::string> worker_args{kWorkerCommand};
  if (on_device) {
    worker_args.emplace_back(kDeviceFlag);
    worker_args.emplace_back("cuda");
  }
  run_accel_as_worker(request, worker_args);
  // `accelerate test` reads the default config file; --cpu (the collectives
  // checked here are the CPU ones) would otherwise make the launch skip it.
  if (!request.flags.config_file) {
    const std::string default_path = config::default_config_path(base::lookup_in(launcher_env));
    std::error_code error;
    if (std::filesystem::is_regular_file(default_path, error)) {
      request.flags.config_file = default_path;
    }
  }
  request.flags.cpu = !on_device;
  if (!request.flags.suggested_nproc_per_node) {
    request.flags.suggested_nproc_per_node = on_device ? gpus : kDefaultProcesses;
    request.flags.suggested_nproc_per_node_source =
        on_device ? "accel test --device cuda: one per visible GPU" : "accel test's default";
  }
  return request;
}

int run_test(const std::vector<std::string>& launch_args, const std::string& device,
             Console& console) {
  base::Environment launcher_env = base::current_environment();
  launch::LaunchRequest request = test_request(launch_args, device, launcher_env);
  const ScratchDirectory reports("accel-test", base::lookup_in(launcher_env));
  launcher_env[kTestReportDirVariable] = reports.path().string();
  const int job_exit_code = run_launch_request(request, launcher_env, console);
  return write_test_verdict(console.out, console.err, read_test_reports(reports.path()),
                            job_exit_code);
}

int run_test_worker(const std::string& device, Console& console) {
  TestWorkerOptions options;
  options.on_device = device == "cuda";
  const base::EnvLookup env = base::process_environment();
  if (const auto dir = env(kTestReportDirVariable); dir && !dir->empty()) {
    options.report_dir = *dir;
  }
  const TestOutcome outcome = run_test_checks(options);
  // Started by hand (no report directory), the worker says what it found.
  if (!options.report_dir) {
    return write_test_verdict(console.out, console.err, {outcome}, 0);
  }
  return outcome.failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void setup_test(CLI::App& app, Invocation& invocation) {
  CLI::App* test = app.add_subcommand("test", "Check that distributed jobs work on this machine");
  test->description(kTestDescription);
  // --device is the test's own; every other flag is accel launch's:
  // collected here, parsed by its parser.
  auto test_device = std::make_shared<std::string>("cpu");
  test->add_option(kDeviceFlag, *test_device,
                   "cpu (default), or cuda: the collectives on each process's GPU (NCCL)");
  test->allow_extras();
  test->footer(
      "Exit codes: 0 every check passed; 1 a check failed (each is listed with its "
      "rank); 2 bad command line or config.\nSee docs/bench.md.");
  test->callback([test, test_device, &invocation] {
    invocation.run = [args = test->remaining(), test_device](Console& console) {
      return run_test(args, *test_device, console);
    };
  });

  CLI::App* worker = app.add_subcommand(kWorkerCommand, "");
  worker->group("");  // hidden: accel test runs it under the launcher
  auto device = std::make_shared<std::string>("cpu");
  worker->add_option(kDeviceFlag, *device, "cpu or cuda");
  worker->callback([device, &invocation] {
    invocation.run = [device](Console& console) { return run_test_worker(*device, console); };
  });
}

}  // namespace accel::cli
