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
  CHECK_THROWS_AS(parse_launch({"--mixed_precision", "fp12", "s.py"}), accel::cli::UserError);
  CHECK_THROWS_AS(parse_launch({"--tee", "4", "--log_dir", "/l", "s.py"}), accel::cli::UserError);
}

TEST_CASE("flags real accelerate command lines carry are accepted", "[launch_flags]") {
  const auto options = parse_launch(
      {"--main_training_function", "main", "--downcast_bf16", "--mixed_precision", "bf16", "s.py"});
  CHECK(options.flags.mixed_precision == "bf16");
  CHECK(options.ignored.empty());  // no effect off TPUs, as under Accelerate: no notice
}

TEST_CASE("mpirun, TPU and AWS flags are accepted and named as ignored", "[launch_flags]") {
  const auto options =
      parse_launch({"--mpirun_hostfile", "hosts", "--tpu_use_sudo", "--vm", "a", "--vm", "b",
                    "--env", "X=1", "--tpu_cluster", "--aws_access_key_id", "k", "s.py"});
  std::vector<std::string> flags;
  for (const auto& ignored : options.ignored) {
    flags.push_back(ignored.flag);
    CHECK_FALSE(ignored.reason.empty());
  }
  CHECK(flags == std::vector<std::string>{"--tpu_cluster", "--tpu_use_sudo", "--vm", "--env",
                                          "--mpirun_hostfile", "--aws_access_key_id"});
  CHECK(options.command == std::vector<std::string>{"s.py"});
}

TEST_CASE("torchrun's --nproc_per_node keywords, --nnodes ranges and accepted flags",
          "[launch_flags]") {
  auto options = parse_launch({"--nproc_per_node", "auto", "s.py"});
  CHECK(options.nproc_per_node_keyword == "auto");
  CHECK_FALSE(options.flags.nproc_per_node);
  for (const char* keyword : {"cpu", "gpu"}) {
    CHECK(parse_launch({"--nproc-per-node", keyword, "s.py"}).nproc_per_node_keyword == keyword);
  }
  CHECK_THROWS_WITH(
      parse_launch({"--nproc_per_node", "xpu", "s.py"}),
      "--nproc_per_node 'xpu' is not a number of processes; give a number, or auto, cpu or gpu");
  CHECK(parse_launch({"--nnodes", "1:1", "s.py"}).flags.num_machines == 1);
  CHECK(parse_launch({"--nnodes", "3", "s.py"}).flags.num_machines == 3);
  CHECK_THROWS_WITH(parse_launch({"--nnodes", "1:4", "s.py"}),
                    "--nnodes 1:4: elastic ranges of machines are not supported; give a fixed "
                    "number, e.g. --nnodes 4 (or 4:4)");
  CHECK_THROWS_WITH(parse_launch({"--nnodes", "two", "s.py"}),
                    "--nnodes 'two' is not a number of machines; give a number such as 2 (or 2:2)");
  options = parse_launch({"--standalone", "--start_method", "spawn", "--redirects", "3", "s.py"});
  CHECK(options.standalone);
  REQUIRE(options.ignored.size() == 1);
  CHECK(options.ignored[0].flag == "--redirects");
  CHECK(parse_launch({"-r", "0", "s.py"}).ignored.empty());
  CHECK_THROWS_AS(parse_launch({"--start_method", "thread", "s.py"}), accel::cli::UserError);
}

TEST_CASE("rendezvous and output flags: both spellings and their defaults", "[launch_flags]") {
  const auto defaults = parse_launch({"s.py"});
  CHECK(defaults.join_timeout_seconds == 600);
  CHECK(defaults.heartbeat_interval_seconds == 1);
  CHECK(defaults.heartbeat_timeout_seconds == 10);
  CHECK_FALSE(defaults.rdzv_bind);
  CHECK_FALSE(defaults.rdzv_token);
  CHECK_FALSE(defaults.rdzv_endpoint);
  CHECK_FALSE(defaults.log_line_prefix_template);
  CHECK_FALSE(defaults.ranks_filter);
  for (const bool dashed : {false, true}) {
    const auto flag = [dashed](std::string name) {
      if (dashed) std::replace(name.begin() + 2, name.end(), '_', '-');
      return name;
    };
    const auto options = parse_launch(
        {flag("--rdzv_bind"), "10.0.0.1", flag("--join_timeout"), "60",
         flag("--heartbeat_interval"), "0.5", flag("--heartbeat_timeout"), "5",
         flag("--rdzv_token"), "s3cret", flag("--rdzv_endpoint"), "head:29400",
         flag("--log_line_prefix_template"), "[${rank}]", flag("--ranks_filter"), "0,3", "s.py"});
    INFO(dashed);
    CHECK(options.rdzv_bind == "10.0.0.1");
    CHECK(options.join_timeout_seconds == 60);
    CHECK(options.heartbeat_interval_seconds == 0.5);
    CHECK(options.heartbeat_timeout_seconds == 5);
    CHECK(options.rdzv_token == "s3cret");
    CHECK(options.rdzv_endpoint == "head:29400");
    CHECK(options.log_line_prefix_template == "[${rank}]");
    CHECK(options.ranks_filter == "0,3");
  }
}

TEST_CASE("a number flag given an empty or non-number value is a usage error", "[launch_flags]") {
  // `--machine_rank "$SLURM_NODEID"` with the variable unset: never machine 0 in silence.
  for (const char* flag : {"--machine_rank", "--num_machines", "--num_processes",
                           "--main_process_port", "--join_timeout"}) {
    INFO(flag);
    CHECK_THROWS_AS(parse_launch({flag, "", "s.py"}), accel::cli::UserError);
    CHECK_THROWS_AS(parse_launch({flag, "two", "s.py"}), accel::cli::UserError);
  }
  CHECK_THROWS_WITH(parse_launch({"--machine_rank", "", "s.py"}),
                    "--machine_rank: the value is empty (a job script quoting an unset "
                    "variable?); give a number");
  CHECK_THROWS_AS(parse_launch({"--nnodes", "", "s.py"}), accel::cli::UserError);
  CHECK_THROWS_AS(parse_launch({"--nproc_per_node", "", "s.py"}), accel::cli::UserError);
}

TEST_CASE("--help among parsed launch flags is named, not CLI11's programmer message",
          "[launch_flags]") {
  CHECK_THROWS_WITH(accel::cli::parse_launch_arguments({"--help", "train.py"}),
                    Catch::Equals("--help asks for help, it is not a launch flag; see 'accel "
                                  "launch --help'"));
}
