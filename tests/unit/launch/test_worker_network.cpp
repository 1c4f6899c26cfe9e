#include <catch2/catch.hpp>

#include "launch/worker_network.hpp"

using accel::launch::gloo_interface;
using accel::launch::numeric_address;

TEST_CASE("worker_network: addresses resolve, and loopback is reached on lo", "[worker_network]") {
  CHECK(numeric_address("127.0.0.1") == "127.0.0.1");
  CHECK(numeric_address("no-such-host.invalid").empty());  // RFC 6761: never resolves
  CHECK(gloo_interface("127.0.0.1") == std::optional<std::string>("lo"));
  CHECK_FALSE(gloo_interface("no-such-host.invalid"));
}
