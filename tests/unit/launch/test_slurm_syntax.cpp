// SLURM's hostlist and tasks-per-node syntaxes, on the forms SLURM itself
// prints (checked against `scontrol show hostnames` of SLURM 22.05).
#include <catch2/catch.hpp>

#include "launch/slurm_syntax.hpp"

using accel::launch::expand_hostlist;
using accel::launch::expand_tasks_per_node;
using Hosts = std::vector<std::string>;

namespace {

Hosts hosts(const std::string& list) {
  std::string error;
  const auto expanded = expand_hostlist(list, error);
  INFO(list << ": " << error);
  REQUIRE(expanded);
  CHECK(error.empty());
  return *expanded;
}

std::string hostlist_error(const std::string& list) {
  std::string error;
  CHECK_FALSE(expand_hostlist(list, error));
  return error;
}

std::vector<int> tasks(const std::string& list) {
  std::string error;
  const auto expanded = expand_tasks_per_node(list, error);
  INFO(list << ": " << error);
  REQUIRE(expanded);
  return *expanded;
}

}  // namespace

TEST_CASE("single hosts and comma lists", "[slurm_syntax]") {
  CHECK(hosts("node1") == Hosts{"node1"});
  CHECK(hosts("a,b,,c") == Hosts{"a", "b", "c"});
  CHECK(hosts(" n1 , n2") == Hosts{"n1", "n2"});
  CHECK(hosts("n1 n2") == Hosts{"n1", "n2"});
  CHECK(hosts("gpu-node.cluster.local") == Hosts{"gpu-node.cluster.local"});
}

TEST_CASE("brackets: ranges, lists, zero padding", "[slurm_syntax]") {
  CHECK(hosts("gpu-a[01-04,07],gpu-b[1-2]") ==
        Hosts{"gpu-a01", "gpu-a02", "gpu-a03", "gpu-a04", "gpu-a07", "gpu-b1", "gpu-b2"});
  CHECK(hosts("node1,node[3-5]") == Hosts{"node1", "node3", "node4", "node5"});
  CHECK(hosts("n[009-011]") == Hosts{"n009", "n010", "n011"});
  CHECK(hosts("x[01-3]") == Hosts{"x01", "x02", "x03"});  // the low end's width
  CHECK(hosts("x[1-03]") == Hosts{"x1", "x2", "x3"});
  CHECK(hosts("x[98-101]") == Hosts{"x98", "x99", "x100", "x101"});
  CHECK(hosts("x[9-10]") == Hosts{"x9", "x10"});
  CHECK(hosts("n[7]") == Hosts{"n7"});
  CHECK(hosts("n[1-3,5-6]") == Hosts{"n1", "n2", "n3", "n5", "n6"});
  CHECK(hosts("[1-2]") == Hosts{"1", "2"});
  CHECK(hosts("n[1-2],m") == Hosts{"n1", "n2", "m"});
}

TEST_CASE("several bracket groups in one name give every combination", "[slurm_syntax]") {
  CHECK(hosts("n[1-2]-ib[3-4]") == Hosts{"n1-ib3", "n1-ib4", "n2-ib3", "n2-ib4"});
  // Newer SLURM releases accept a suffix after the brackets; so does accel.
  CHECK(hosts("a.b-c[8-9].x") == Hosts{"a.b-c8.x", "a.b-c9.x"});
}

TEST_CASE("malformed hostlists are errors, not guesses", "[slurm_syntax]") {
  CHECK(hostlist_error("n[3-1]") == "'n[3-1]': the range 3-1 runs backwards");
  CHECK(hostlist_error("n[1-2") == "'n[1-2': a '[' without its ']'");
  CHECK(hostlist_error("n[1-2]]") == "'n[1-2]]': a ']' without its '['");
  CHECK(hostlist_error("n[a-b]") ==
        "'n[a-b]': 'a-b' in brackets is not a number or a range such as 1-4");
  CHECK(hostlist_error("n[1,,2]") ==
        "'n[1,,2]': '' in brackets is not a number or a range such as 1-4");
  CHECK(hostlist_error("") == "no host in ''");
  CHECK(hostlist_error("n[0-99999999]") ==
        "'n[0-99999999]': the range 0-99999999 names more hosts than a cluster has");
}

TEST_CASE("tasks per node: counts and (xN) repeats", "[slurm_syntax]") {
  CHECK(tasks("4") == std::vector<int>{4});
  CHECK(tasks("2(x3),1") == std::vector<int>{2, 2, 2, 1});
  CHECK(tasks("1(x4)") == std::vector<int>{1, 1, 1, 1});
  CHECK(tasks("3,1(x2),2") == std::vector<int>{3, 1, 1, 2});
  for (const char* bad : {"", "x", "2(x)", "2(3)", "0", "2(x0)", "-1", "2,,1", "2(x3"}) {
    std::string error;
    INFO(bad);
    CHECK_FALSE(expand_tasks_per_node(bad, error));
    CHECK_FALSE(error.empty());
  }
}
