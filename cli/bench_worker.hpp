// `accel bench`'s options and its worker: one rank of the job the bench
// command launches (accel runs itself as `accel __bench_worker` with the
// same options). For each collective and size the worker checks one call
// against known results (collective_check.hpp), runs the warm-up calls,
// meets the others at a barrier, times the iterations, and takes the
// slowest rank's mean per-iteration time and the sum of wrong elements
// over the ranks, as nccl-tests does. The main process prints the table
// (bench_table.hpp) row by row as sizes finish.
//
// Thread-safety: runs on the calling thread only.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "cli/collective_check.hpp"

namespace CLI {
class App;
}

namespace accel::cli {

// The flags, as given (nccl-tests' names where it has them).
struct BenchOptions {
  std::string op = "all_reduce";  // a collective, or "all"
  std::string min_bytes = "8";
  std::string max_bytes = "256M";
  int step_factor = 2;
  std::string dtype = "float32";
  std::string redop = "sum";
  int root = 0;
  int iters = 20;
  int warmup_iters = 5;
  int check = 1;               // 0: skip the correctness check (#wrong then reads "-")
  std::string device = "cpu";  // or "cuda": the buffers on each rank's GPU (NCCL)
  // The launch (the command's only; the worker gets the rest).
  int num_processes = 2;
  bool num_processes_given = false;  // else --device cuda takes the GPU count
};

// Binds the options both `bench` and its worker take (not num_processes:
// the command's alone).
void bind_bench_options(CLI::App& app, BenchOptions& options);
// The worker's command line for `options` (after the subcommand name).
std::vector<std::string> bench_worker_arguments(const BenchOptions& options);

// The options checked and resolved.
struct BenchPlan {
  std::vector<Collective> collectives;
  std::vector<std::size_t> sizes;  // bytes
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  int root = 0;
  int iters = 20;
  int warmup_iters = 5;
  bool check = true;
  bool on_device = false;  // --device cuda
};

// Throws UserError naming the flag for a value that cannot be used.
BenchPlan plan_bench(const BenchOptions& options);

// Runs the plan as this process's rank; the main process writes the tables
// to `out`. Throws CollectiveError when communication fails.
void run_bench(Communicator& communicator, const BenchPlan& plan, std::ostream& out);

}  // namespace accel::cli
