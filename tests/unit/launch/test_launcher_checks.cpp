// Bounds on every number of the launcher's own flags.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "launch/launcher_checks.hpp"

using namespace accel::launch;

namespace {

std::string problem_with(const LaunchRequest& request) {
  const Problem problem = check_launcher_flags(request);
  return problem ? problem->message : "";
}

}  // namespace

TEST_CASE("the grace period (--grace_period) is finite and between 0 s and one day",
          "[launcher_checks]") {
  LaunchRequest request;
  for (double fine : {0.0, 0.5, 30.0, 86400.0}) {
    request.grace_period_seconds = fine;
    CHECK(problem_with(request).empty());
  }
  request.grace_period_seconds = 1e18;
  CHECK(problem_with(request) ==
        "--grace_period 1e+18 is out of range; give the seconds workers get to exit after "
        "SIGTERM, from 0 to 86400 (one day)");
  request.grace_period_seconds = -5;
  CHECK(problem_with(request).starts_with("--grace_period -5 is out of range;"));
  request.grace_period_seconds = std::numeric_limits<double>::quiet_NaN();
  CHECK(problem_with(request).starts_with("--grace_period nan is out of range;"));
  request.grace_period_seconds = std::numeric_limits<double>::infinity();
  CHECK(problem_with(request).starts_with("--grace_period inf is out of range;"));
}

TEST_CASE("restarts, monitor interval and thread counts have bounds", "[launcher_checks]") {
  LaunchRequest request;
  request.max_restarts = -1;
  CHECK(problem_with(request) ==
        "--max_restarts -1 is out of range; give 0 (no restarts, the default) or more");
  request.max_restarts = 3;
  request.monitor_interval = 0;
  CHECK(problem_with(request).starts_with("--monitor_interval 0 is out of range;"));
  request.monitor_interval = 5;
  request.flags.num_cpu_threads_per_process = 0;
  CHECK(problem_with(request) ==
        "--num_cpu_threads_per_process 0 is out of range; give 1 or more threads per worker "
        "(OMP_NUM_THREADS)");
  request.flags.num_cpu_threads_per_process = 1;
  CHECK(problem_with(request).empty());
}

TEST_CASE("the local ranks filter names local ranks of this machine", "[launcher_checks]") {
  std::set<int> ranks;
  CHECK_FALSE(parse_local_ranks("0,2", 4, ranks));
  CHECK(ranks == std::set<int>{0, 2});
  for (const char* bad : {"", "0,", "x", "-1", "4", "1.5"}) {
    std::set<int> ignored;
    INFO(bad);
    CHECK(parse_local_ranks(bad, 4, ignored));
  }
}

TEST_CASE("rendezvous timing: positive, at most a day, heartbeat timeout above the interval",
          "[launcher_checks]") {
  LaunchRequest request;
  CHECK(problem_with(request).empty());  // 600 s, 1 s, 10 s
  request.join_timeout_seconds = 0;
  CHECK(problem_with(request) ==
        "--join_timeout 0 is out of range; give the seconds to wait for every machine to join, "
        "above 0 and at most 86400 (one day)");
  request.join_timeout_seconds = 600;
  request.heartbeat_interval_seconds = std::nan("");
  CHECK(problem_with(request).starts_with("--heartbeat_interval nan is out of range"));
  request.heartbeat_interval_seconds = 5;
  request.heartbeat_timeout_seconds = 5;
  CHECK(problem_with(request) ==
        "--heartbeat_timeout 5 must exceed --heartbeat_interval 5, or every machine would count "
        "as lost between two heartbeats; e.g. --heartbeat_timeout 10 with --heartbeat_interval 1");
  request.heartbeat_timeout_seconds = 5.5;
  CHECK(problem_with(request).empty());
  request.rdzv_token = "";
  CHECK(problem_with(request).starts_with("--rdzv_token is empty"));
  request.rdzv_token = "t";
  request.rdzv_bind = "";
  CHECK(problem_with(request).starts_with("--rdzv_bind is empty"));
}

TEST_CASE("log line prefix templates name only what accel fills in", "[launcher_checks]") {
  const auto check = [](const std::string& text) {
    const Problem problem = check_line_prefix_template(text, "--log_line_prefix_template");
    return problem ? problem->message : std::string();
  };
  for (const char* fine : {"[${rank}]:", "${role_name}${local_rank}> ", "$host/$rank ",
                           "$$ ${rank}", "no names", ""}) {
    INFO(fine);
    CHECK(check(fine).empty());
  }
  // The supervisor's grammar, with the flag named first.
  const std::string use =
      "; use ${rank}, ${local_rank}, ${role_name} or ${host}, and $$ for a literal $";
  CHECK(
      check("[${group_rank}]") ==
      "--log_line_prefix_template '[${group_rank}]': unknown placeholder 'group_rank' at offset 1" +
          use);
  CHECK(check("$ranks") ==
        "--log_line_prefix_template '$ranks': unknown placeholder 'ranks' at offset 0" + use);
  CHECK(check("${rank") == "--log_line_prefix_template '${rank': an unclosed ${ at offset 0" + use);
  CHECK(check("cost: $5") ==
        "--log_line_prefix_template 'cost: $5': a $ that starts no placeholder at offset 6" + use);
  CHECK(check("end $") ==
        "--log_line_prefix_template 'end $': a $ that starts no placeholder at offset 4" + use);
}
