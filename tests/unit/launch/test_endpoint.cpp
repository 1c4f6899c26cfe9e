// HOST[:PORT] as torchrun's --rdzv_endpoint spells machine 0.
#include <catch2/catch.hpp>

#include "launch/endpoint.hpp"

using accel::launch::split_endpoint;

TEST_CASE("endpoints: names, IPv4, bracketed IPv6, optional port", "[endpoint]") {
  std::string host;
  std::optional<int> port;
  CHECK(split_endpoint("node1:29400", host, port));
  CHECK(host == "node1");
  CHECK(port == 29400);
  CHECK(split_endpoint("10.0.0.1", host, port));
  CHECK(host == "10.0.0.1");
  CHECK_FALSE(port);
  CHECK(split_endpoint("[fd00::1]:29500", host, port));
  CHECK(host == "fd00::1");
  CHECK(port == 29500);
  CHECK(split_endpoint("[fd00::1]", host, port));
  CHECK_FALSE(port);
  CHECK(split_endpoint("fd00::1", host, port));  // bare IPv6: no port
  CHECK(host == "fd00::1");
  for (const char* bad :
       {"", ":29500", "node:", "node:x", "node:70000", "[fd00::1", "[::1]x", "[]:1"}) {
    INFO(bad);
    CHECK_FALSE(split_endpoint(bad, host, port));
  }
}
