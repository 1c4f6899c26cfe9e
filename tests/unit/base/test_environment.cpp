// The environment seam: snapshots, lookups in a map, execve entries.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "base/environment.hpp"

using namespace accel::base;

TEST_CASE("lookup_in answers from the map, set-but-empty included", "[base][env]") {
  const Environment env{{"A", "1"}, {"EMPTY", ""}};
  const EnvLookup lookup = lookup_in(env);
  CHECK(lookup("A") == std::optional<std::string>("1"));
  CHECK(lookup("EMPTY") == std::optional<std::string>(""));
  CHECK_FALSE(lookup("B").has_value());
}

TEST_CASE("to_entries writes NAME=value in name order", "[base][env]") {
  const Environment env{{"B", "x=y"}, {"A", ""}};
  CHECK(to_entries(env) == std::vector<std::string>{"A=", "B=x=y"});
}

TEST_CASE("the process environment is read through getenv and environ", "[base][env]") {
  REQUIRE(::setenv("ACCEL_BASE_TEST_VARIABLE", "v=1", 1) == 0);
  CHECK(process_environment()("ACCEL_BASE_TEST_VARIABLE") == std::optional<std::string>("v=1"));
  CHECK(current_environment().at("ACCEL_BASE_TEST_VARIABLE") == "v=1");
  REQUIRE(::unsetenv("ACCEL_BASE_TEST_VARIABLE") == 0);
  CHECK_FALSE(process_environment()("ACCEL_BASE_TEST_VARIABLE").has_value());
  CHECK_FALSE(current_environment().contains("ACCEL_BASE_TEST_VARIABLE"));
}

TEST_CASE("entry lists are read and set by whole name", "[environment]") {
  std::vector<std::string> entries = {"PATH=/bin", "GLOO_SOCKET_IFNAME_X=1"};
  CHECK(accel::base::entry_name("A=b=c") == "A");
  CHECK_FALSE(accel::base::has_entry(entries, "GLOO_SOCKET_IFNAME"));  // a longer name is another
  accel::base::set_entry(entries, "GLOO_SOCKET_IFNAME", "lo");
  accel::base::set_entry(entries, "GLOO_SOCKET_IFNAME", "eth0");
  CHECK(accel::base::has_entry(entries, "GLOO_SOCKET_IFNAME"));
  CHECK(entries ==
        std::vector<std::string>{"PATH=/bin", "GLOO_SOCKET_IFNAME_X=1", "GLOO_SOCKET_IFNAME=eth0"});
}
