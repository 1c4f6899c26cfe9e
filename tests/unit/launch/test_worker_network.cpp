#include <catch2/catch.hpp>

#include "launch/worker_network.hpp"

using accel::launch::gloo_interface;
using accel::launch::has_variable;
using accel::launch::numeric_address;
using accel::launch::set_variable;

TEST_CASE("worker_network: NAME=value lists are set by name", "[worker_network]") {
  std::vector<std::string> env = {"PATH=/bin", "GLOO_SOCKET_IFNAME_X=1"};
  CHECK_FALSE(has_variable(env, "GLOO_SOCKET_IFNAME"));  // a longer name is another variable
  set_variable(env, "GLOO_SOCKET_IFNAME", "lo");
  set_variable(env, "GLOO_SOCKET_IFNAME", "eth0");
  CHECK(has_variable(env, "GLOO_SOCKET_IFNAME"));
  CHECK(env ==
        std::vector<std::string>{"PATH=/bin", "GLOO_SOCKET_IFNAME_X=1", "GLOO_SOCKET_IFNAME=eth0"});
}

TEST_CASE("worker_network: addresses resolve, and loopback is reached on lo", "[worker_network]") {
  CHECK(numeric_address("127.0.0.1") == "127.0.0.1");
  CHECK(numeric_address("no-such-host.invalid").empty());  // RFC 6761: never resolves
  CHECK(gloo_interface("127.0.0.1") == std::optional<std::string>("lo"));
  CHECK_FALSE(gloo_interface("no-such-host.invalid"));
}
