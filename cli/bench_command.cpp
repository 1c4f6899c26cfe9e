// `accel bench`: an nccl-tests-style bandwidth table of accel's collectives.
// It launches accel itself as the worker (`accel __bench_worker`,
// bench_worker.hpp) through the real launcher on this machine, with
// --num_processes workers on the CPU; the main worker prints the table row
// by row. With --device cuda the buffers are on the GPUs (one process per
// visible GPU by default) and the collectives go through NCCL.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "accel/collectives.hpp"
#include "accel/process_state.hpp"
#include "base/environment.hpp"
#include "cli/bench_worker.hpp"
#include "cli/command.hpp"
#include "cli/device_memory.hpp"
#include "cli/errors.hpp"
#include "cli/launch_command.hpp"
#include "cli/worker_launch.hpp"

namespace accel::cli {

namespace {

constexpr const char* kWorkerCommand = "__bench_worker";

constexpr const char* kBenchDescription =
    "Time accel's collectives as nccl-tests does: for each size from -b to -e (times -f), the "
    "time per call (the slowest process's mean), the algorithm bandwidth (size / time), the bus "
    "bandwidth (algbw times nccl-tests' bus factor: all_reduce 2(n-1)/n, all_gather and "
    "reduce_scatter (n-1)/n, broadcast 1) and #wrong, the elements a check against known results "
    "found wrong. Runs --num_processes workers on this machine through the real launcher.";

int run_bench_command(const BenchOptions& given, Console& console) {
  BenchOptions options = given;
  if (options.device == "cuda") {
    // Refused before anything starts, with what is missing.
    const int gpus = visible_cuda_devices();
    if (!options.num_processes_given) options.num_processes = gpus;
  }
  if (options.num_processes < 1) {
    throw UserError("--num_processes is " + std::to_string(options.num_processes) +
                    ": give at least 1");
  }
  if (options.root >= options.num_processes) {
    throw UserError("--root " + std::to_string(options.root) + " is not a process of " +
                    std::to_string(options.num_processes) + ": give 0 to " +
                    std::to_string(options.num_processes - 1));
  }
  plan_bench(options);  // refuse bad values before anything starts

  launch::LaunchRequest request;
  std::vector<std::string> worker_args{kWorkerCommand};
  for (std::string& arg : bench_worker_arguments(options)) worker_args.push_back(std::move(arg));
  run_accel_as_worker(request, worker_args);
  request.flags.cpu = options.device != "cuda";
  request.flags.num_processes = options.num_processes;
  request.flags.main_process_port = 0;  // any free port: the bench needs no fixed one
  request.no_prefix = true;             // the table is the main worker's output, as is
  return run_launch_request(request, base::current_environment(), console);
}

int run_bench_worker(const BenchOptions& options, Console& console) {
  const BenchPlan plan = plan_bench(options);
  if (plan.on_device) {
    // The buffers go on the GPU the communicator uses (accel/collectives.hpp).
    use_process_cuda_device(process_state_from_env());
  }
  try {
    Communicator communicator;
    run_bench(communicator, plan, console.out);
  } catch (const SyncError& error) {  // CollectiveError too: a peer died, a timeout
    console.err << "accel bench: " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void setup_bench(CLI::App& app, Invocation& invocation) {
  CLI::App* bench = app.add_subcommand("bench", "Time the collectives (nccl-tests style table)");
  bench->description(kBenchDescription);
  bench->footer(
      "Example: accel bench --op all_reduce -b 8 -e 256M -f 2 --num_processes 4\n"
      "Exit codes: 0 done (read #wrong); 1 the job failed; 2 bad command line.\n"
      "See docs/bench.md for the columns and how to read them.");
  auto options = std::make_shared<BenchOptions>();
  bind_bench_options(*bench, *options);
  bench
      ->add_option("--num_processes,--num-processes,--np", options->num_processes,
                   "Processes on this machine (--device cuda: one per visible GPU)")
      ->capture_default_str()
      ->each([options](const std::string&) { options->num_processes_given = true; });
  bench->callback([options, &invocation] {
    invocation.run = [options](Console& console) { return run_bench_command(*options, console); };
  });

  CLI::App* worker = app.add_subcommand(kWorkerCommand, "");
  worker->group("");  // hidden: accel bench runs it under the launcher
  auto worker_options = std::make_shared<BenchOptions>();
  bind_bench_options(*worker, *worker_options);
  worker->callback([worker_options, &invocation] {
    invocation.run = [worker_options](Console& console) {
      return run_bench_worker(*worker_options, console);
    };
  });
}

}  // namespace accel::cli
