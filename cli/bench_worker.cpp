#include "cli/bench_worker.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "cli/bench_table.hpp"
#include "cli/device_memory.hpp"
#include "cli/errors.hpp"

namespace accel::cli {

namespace {

// What --op all runs: nccl-tests' four common collectives.
constexpr Collective kAllOps[] = {Collective::kAllReduce, Collective::kAllGather,
                                  Collective::kBroadcast, Collective::kReduceScatter};

std::size_t size_flag(const std::string& text, const char* flag) {
  const auto bytes = parse_byte_size(text);
  if (!bytes) {
    throw UserError(std::string(flag) + ": '" + text +
                    "' is not a size: give bytes, or a number with K, M or G (powers of 1024), "
                    "e.g. 8, 1K, 64M, 1G");
  }
  return *bytes;
}

void at_least(int value, int minimum, const char* flag) {
  if (value < minimum) {
    throw UserError(std::string(flag) + " is " + std::to_string(value) + ": give at least " +
                    std::to_string(minimum));
  }
}

// The slowest rank's time and the wrong elements of all ranks.
struct Agreed {
  double time_us = 0;
  std::size_t wrong = 0;
};

Agreed agree(Communicator& communicator, double time_us, std::size_t wrong) {
  communicator.all_reduce(&time_us, &time_us, 1, DataType::kFloat64, ReduceOp::kMax);
  auto wrong_total = static_cast<std::int64_t>(wrong);
  communicator.all_reduce(&wrong_total, &wrong_total, 1, DataType::kInt64, ReduceOp::kSum);
  return {time_us, static_cast<std::size_t>(wrong_total)};
}

BenchRow bench_one(Communicator& communicator, const BenchPlan& plan, Collective collective,
                   std::size_t size_bytes) {
  const int world_size = communicator.size();
  const BenchCall call = bench_call(collective, plan.type, size_bytes, world_size);
  const CollectiveCase what{collective, plan.type, plan.op, call.count, plan.root, false};
  CollectiveCheck buffers(what, communicator.rank(), world_size, plan.on_device);
  buffers.prepare();

  // The checked call is also the first warm-up call.
  buffers.run(communicator);
  buffers.finish(communicator);
  std::size_t wrong = plan.check ? buffers.check().wrong : 0;
  for (int i = 1; i < plan.warmup_iters; ++i) buffers.run(communicator);

  double elapsed_us = 0;
  if (plan.on_device) {
    // The GPU's time (CUDA events around the iterations, on the stream the
    // collectives use), after every rank's warm-up work is done.
    communicator.device_barrier();
    DeviceTimer timer;
    timer.start();
    for (int i = 0; i < plan.iters; ++i) buffers.run(communicator);
    timer.stop();
    communicator.synchronize();
    elapsed_us = timer.elapsed_us();
  } else {
    communicator.barrier();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < plan.iters; ++i) buffers.run(communicator);
    const std::chrono::duration<double, std::micro> elapsed =
        std::chrono::steady_clock::now() - start;
    elapsed_us = elapsed.count();
  }

  const Agreed agreed = agree(communicator, elapsed_us / plan.iters, wrong);
  BenchRow row;
  row.bytes = call.bytes;
  row.count = call.count;
  row.type = plan.type;
  if (reduces(collective)) row.op = plan.op;
  row.root = has_root(collective) ? plan.root : -1;
  row.time_us = agreed.time_us;
  if (plan.check) row.wrong = agreed.wrong;
  return row;
}

}  // namespace

void bind_bench_options(CLI::App& app, BenchOptions& o) {
  app.add_option("--op", o.op,
                 "Collective to time: all_reduce, all_gather, broadcast, reduce_scatter, reduce, "
                 "gather, or all (the first four)")
      ->capture_default_str();
  app.add_option("-b,--minbytes", o.min_bytes, "Smallest size (8, 1K, 64M, 1G: powers of 1024)")
      ->capture_default_str();
  app.add_option("-e,--maxbytes", o.max_bytes, "Largest size")->capture_default_str();
  app.add_option("-f,--stepfactor", o.step_factor, "Multiply the size by this between rows")
      ->capture_default_str();
  app.add_option("-d,--dtype", o.dtype,
                 "Element type: float32, float64, float16, bfloat16, int32, int64 (or fp32, bf16, "
                 "...)")
      ->capture_default_str();
  app.add_option("-o,--redop", o.redop, "Reduction: sum, avg, min, max")->capture_default_str();
  app.add_option("-r,--root", o.root, "Root of broadcast (and reduce, gather)")
      ->capture_default_str();
  app.add_option("-n,--iters", o.iters, "Timed iterations per size")->capture_default_str();
  app.add_option("-w,--warmup_iters", o.warmup_iters, "Untimed iterations before them")
      ->capture_default_str();
  app.add_option("--device", o.device,
                 "cpu, or cuda: buffers on each process's GPU, collectives through NCCL, timed "
                 "with CUDA events")
      ->capture_default_str();
  app.add_option("-c,--check", o.check,
                 "Check each size's result against known values (#wrong); 0 skips it")
      ->capture_default_str();
}

std::vector<std::string> bench_worker_arguments(const BenchOptions& o) {
  return {"--op",           o.op,
          "--minbytes",     o.min_bytes,
          "--maxbytes",     o.max_bytes,
          "--stepfactor",   std::to_string(o.step_factor),
          "--dtype",        o.dtype,
          "--redop",        o.redop,
          "--root",         std::to_string(o.root),
          "--iters",        std::to_string(o.iters),
          "--warmup_iters", std::to_string(o.warmup_iters),
          "--check",        std::to_string(o.check),
          "--device",       o.device};
}

BenchPlan plan_bench(const BenchOptions& options) {
  BenchPlan plan;
  if (options.op == "all") {
    plan.collectives.assign(std::begin(kAllOps), std::end(kAllOps));
  } else if (const auto collective = collective_named(options.op)) {
    plan.collectives.push_back(*collective);
  } else {
    throw UserError("--op: '" + options.op +
                    "' is not a collective: give all_reduce, all_gather, broadcast, "
                    "reduce_scatter, reduce, gather or all");
  }
  const std::size_t min_bytes = size_flag(options.min_bytes, "--minbytes (-b)");
  const std::size_t max_bytes = size_flag(options.max_bytes, "--maxbytes (-e)");
  try {
    plan.sizes = byte_sizes(min_bytes, max_bytes, options.step_factor);
  } catch (const std::invalid_argument& error) {
    throw UserError(std::string("-b/-e/-f: ") + error.what());
  }
  const auto type = data_type_named(options.dtype);
  if (!type) {
    throw UserError("--dtype: '" + options.dtype +
                    "' is not a type: give float32, float64, float16, bfloat16, int32 or int64");
  }
  plan.type = *type;
  const auto op = reduce_op_named(options.redop);
  if (!op) throw UserError("--redop: '" + options.redop + "' is not sum, avg, min or max");
  plan.op = *op;
  at_least(options.root, 0, "--root");
  at_least(options.iters, 1, "--iters (-n)");
  at_least(options.warmup_iters, 0, "--warmup_iters (-w)");
  plan.root = options.root;
  plan.iters = options.iters;
  plan.warmup_iters = options.warmup_iters;
  plan.check = options.check != 0;
  if (options.device != "cpu" && options.device != "cuda") {
    throw UserError("--device: '" + options.device + "' is not cpu or cuda");
  }
  plan.on_device = options.device == "cuda";
  return plan;
}

void run_bench(Communicator& communicator, const BenchPlan& plan, std::ostream& out) {
  const bool prints = communicator.rank() == 0;
  const int world_size = communicator.size();
  // NCCL is set up by the first device call: before the first header, so
  // the header's description names it.
  if (plan.on_device) communicator.device_barrier();
  for (Collective collective : plan.collectives) {
    if (prints) {
      out << fmt::format("# accel bench {} over {}, {}{}, {} iterations after {} warm-up\n#\n",
                         name_of(collective), communicator.describe(), name_of(plan.type),
                         reduces(collective) ? " " + std::string(name_of(plan.op)) : "", plan.iters,
                         plan.warmup_iters);
      write_bench_header(out);
      out << std::flush;
    }
    std::vector<BenchRow> rows;
    for (std::size_t size : plan.sizes) {
      BenchRow row = bench_one(communicator, plan, collective, size);
      if (prints) {
        write_bench_row(out, row, collective, world_size);
        out << std::flush;
      }
      rows.push_back(row);
    }
    if (prints) {
      write_bench_footer(out, rows, collective, world_size);
      out << "#\n" << std::flush;
    }
  }
}

}  // namespace accel::cli
