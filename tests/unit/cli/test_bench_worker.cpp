#include <catch2/catch.hpp>

#include <optional>
#include <sstream>
#include <string>

#include "cli/bench_worker.hpp"
#include "cli/errors.hpp"

using namespace accel::cli;

TEST_CASE("bench options resolve to collectives, sizes, type and op", "[bench_worker]") {
  BenchOptions options;
  options.op = "all";
  options.min_bytes = "1K";
  options.max_bytes = "1M";
  options.step_factor = 32;
  options.dtype = "bf16";
  options.redop = "max";
  const BenchPlan plan = plan_bench(options);
  CHECK(plan.collectives == std::vector<Collective>{Collective::kAllReduce, Collective::kAllGather,
                                                    Collective::kBroadcast,
                                                    Collective::kReduceScatter});
  CHECK(plan.sizes == std::vector<std::size_t>{1024, 32768, 1048576});
  CHECK(plan.type == accel::DataType::kBFloat16);
  CHECK(plan.op == accel::ReduceOp::kMax);
  CHECK(plan.check);
  CHECK_FALSE(plan.on_device);
  options.device = "cuda";
  CHECK(plan_bench(options).on_device);
}

TEST_CASE("a bad bench option names its flag", "[bench_worker]") {
  const auto refused = [](auto change, const char* named) {
    BenchOptions options;
    change(options);
    CHECK_THROWS_WITH(plan_bench(options), Catch::Contains(named));
  };
  refused([](BenchOptions& o) { o.op = "allreduce"; }, "--op: 'allreduce'");
  refused([](BenchOptions& o) { o.min_bytes = "8X"; }, "--minbytes (-b): '8X' is not a size");
  refused([](BenchOptions& o) { o.max_bytes = ""; }, "--maxbytes (-e)");
  refused([](BenchOptions& o) { o.step_factor = 1; }, "at least 2");
  refused([](BenchOptions& o) { o.dtype = "float8"; }, "--dtype: 'float8'");
  refused([](BenchOptions& o) { o.redop = "prod"; }, "--redop: 'prod'");
  refused([](BenchOptions& o) { o.iters = 0; }, "--iters (-n) is 0");
  refused([](BenchOptions& o) { o.device = "tpu"; }, "--device: 'tpu' is not cpu or cuda");
}

TEST_CASE("the worker's command line carries every option", "[bench_worker]") {
  BenchOptions options;
  options.op = "broadcast";
  options.root = 1;
  options.check = 0;
  options.device = "cuda";
  const auto args = bench_worker_arguments(options);
  const auto value_of = [&args](const std::string& flag) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return args[i + 1];
    }
    return std::string("(missing)");
  };
  CHECK(value_of("--op") == "broadcast");
  CHECK(value_of("--root") == "1");
  CHECK(value_of("--check") == "0");
  CHECK(value_of("--maxbytes") == "256M");
  CHECK(value_of("--device") == "cuda");
}

TEST_CASE("in a world of one the bench prints one checked row per size", "[bench_worker]") {
  accel::CommunicatorOptions no_launcher;
  no_launcher.env = [](std::string_view) { return std::optional<std::string>(); };
  accel::Communicator communicator(no_launcher);
  BenchOptions options;
  options.op = "reduce_scatter";
  options.min_bytes = "8";
  options.max_bytes = "64";
  options.iters = 2;
  options.warmup_iters = 1;
  std::ostringstream out;
  run_bench(communicator, plan_bench(options), out);
  const std::string text = out.str();
  CHECK(text.find("# accel bench reduce_scatter over self (rank 0 alone), float32 sum") == 0);
  CHECK(text.find("           8             2   float32     sum      -1") != std::string::npos);
  CHECK(text.find("          64            16   float32     sum      -1") != std::string::npos);
  CHECK(text.find("# Rows with wrong values: 0 OK") != std::string::npos);
}
