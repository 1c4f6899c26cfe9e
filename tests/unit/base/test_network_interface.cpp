// Which local address and interface reach an IP: loopback is always there,
// so these run on any machine, network or not.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "base/network_interface.hpp"

using namespace accel::base;

TEST_CASE("network_interface: the route toward loopback starts on loopback", "[base][net]") {
  const LocalRoute route = route_toward("127.0.0.1");
  CHECK(route.local_address == "127.0.0.1");
  CHECK_FALSE(route.interface.empty());  // "lo" on Linux
  CHECK(interface_of_address("127.0.0.1") == route.interface);
}

TEST_CASE("network_interface: names that are not IP addresses are refused", "[base][net]") {
  CHECK_THROWS_AS(route_toward("localhost"), std::invalid_argument);
  CHECK_THROWS_WITH(route_toward("no.such.host"), Catch::Contains("not a numeric IP address"));
  CHECK(interface_of_address("not-an-ip").empty());
}

TEST_CASE("network_interface: an address no interface holds has no interface", "[base][net]") {
  CHECK(interface_of_address("192.0.2.77").empty());  // TEST-NET-1, never assigned
}

TEST_CASE("network_interface: loopback addresses", "[base][net]") {
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.1.2.3"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback("10.0.0.1"));
  CHECK_FALSE(is_loopback("::ffff:10.0.0.1"));
  CHECK_FALSE(is_loopback("fe80::1"));
  CHECK_FALSE(is_loopback("localhost"));
  CHECK_FALSE(is_loopback(""));
}
