// `accel launch` flags: both spellings, torchrun aliases, typed paradigm
// settings, and the script's arguments passed on untouched.
#include <catch2/catch.hpp>

#include "cli/errors.hpp"
#include "launch_test_support.hpp"

using accel::cli::testing::parse_launch;

TEST_CASE("every Accelerate flag answers to --foo_bar and --foo-bar", "[launch_flags]") {
  for (const char* spelling : {"--num_processes", "--num-processes"}) {
    CHECK(parse_launch({spelling, "3", "s.py"}).flags.num_processes == 3);
  }
  CHECK(parse_launch({"--main-process-port", "1234", "s.py"}).flags.main_process_port == 1234);
  CHECK(parse_launch({"--multi-gpu", "s.py"}).flags.multi_gpu);
  CHECK(parse_launch({"--gpu-ids=0,1", "s.py"}).flags.gpu_ids == "0,1");
  CHECK(parse_launch({"--fsdp-offload-params", "true", "s.py"})
            .flags.settings.at("fsdp_offload_params")
            .text() == "true");
  CHECK(parse_launch({"--dynamo-use-fullgraph", "s.py"})
            .flags.settings.at("dynamo_use_fullgraph")
            .text() == "True");
  CHECK(parse_launch({"--no-python", "s"}).flags.no_python);
  CHECK(parse_launch({"-m", "pkg.train"}).flags.module);
  CHECK(parse_launch({"-q", "s.py"}).quiet);
  CHECK(parse_launch({"-t", "3", "--log-dir", "/l", "s.py"}).tee == "3");
}

TEST_CASE("a flag given twice keeps its last value, as with argparse", "[launch_flags]") {
  CHECK(
      parse_launch({"--num_processes", "2", "--num-processes", "3", "s.py"}).flags.num_processes ==
      3);
}

TEST_CASE("torchrun's names map onto Accelerate's", "[launch_flags]") {
  const auto options =
      parse_launch({"--nproc_per_node", "4", "--nnodes", "1", "--node_rank", "0", "--master_addr",
                    "10.1.1.1", "--master_port", "2222", "--local_ranks_filter", "0", "s.py"});
  CHECK(options.flags.nproc_per_node == 4);
  CHECK(options.flags.num_machines == 1);
  CHECK(options.flags.machine_rank == 0);
  CHECK(options.flags.main_process_ip == "10.1.1.1");
  CHECK(options.flags.main_process_port == 2222);
  CHECK(options.local_ranks_filter == "0");
  CHECK(parse_launch({"--rdzv-id", "job7", "s.py"}).run_id == "job7");
  CHECK(parse_launch({"--run_id", "job8", "s.py"}).run_id == "job8");
}

TEST_CASE("settings get argparse's types", "[launch_flags]") {
  const auto options = parse_launch({"--zero_stage", "3", "--gradient_clipping", "1", "s.py"});
  CHECK(options.flags.settings.at("zero_stage").text() == "3");
  CHECK(options.flags.settings.at("gradient_clipping").text() == "1.0");
  CHECK_FALSE(options.flags.settings.contains("fsdp_version"));  // only what was given
  CHECK_THROWS_WITH(parse_launch({"--gradient_clipping", "big", "s.py"}),
                    "--gradient_clipping: 'big' is not a number");
}

TEST_CASE("everything after the script is the script's, --help included", "[launch_flags]") {
  const auto options =
      parse_launch({"--cpu", "train.py", "--help", "--num_processes", "9", "-m", "--", "x y"});
  CHECK(options.flags.cpu);
  CHECK_FALSE(options.flags.num_processes);
  CHECK_FALSE(options.flags.module);
  CHECK(options.command ==
        std::vector<std::string>{"train.py", "--help", "--num_processes", "9", "-m", "--", "x y"});
}

TEST_CASE("launcher flags have their defaults", "[launch_flags]") {
  const auto options = parse_launch({"s.py"});
  CHECK(options.grace_period_seconds == 30);
  CHECK(options.role == "default");
  CHECK(options.tee == "0");
  CHECK_FALSE(options.no_prefix);
  CHECK(parse_launch({"--grace_period", "2.5", "--no_prefix", "--python", "/p", "s.py"}).python ==
        "/p");
}

TEST_CASE("no script, or an unknown option before it, is a usage error", "[launch_flags]") {
  CHECK_THROWS_WITH(
      parse_launch({"--cpu"}),
      "accel launch needs a script to run: accel launch [options] script.py [script args...]");
  CHECK_THROWS_WITH(
      parse_launch({"--frobnicate", "s.py"}),
      "unknown option --frobnicate for accel launch (options go before the script); see 'accel "
      "launch --help'");
  CHECK_THROWS_AS(parse_launch({"--mixed_precision", "fp12", "s.py"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse_launch({"--tee", "4", "--log_dir", "/l", "s.py"}), CLI::ValidationError);
}
