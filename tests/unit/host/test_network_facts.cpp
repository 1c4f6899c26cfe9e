// NCCL's interface rules on made-up address lists, InfiniBand devices from a
// fake /sys tree, and the real interface list of this machine.
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "host/network_facts.hpp"
#include "tests/unit/scratch_dir.hpp"

using namespace accel::host;
using accel::testing::ScratchDir;

namespace {

InterfaceAddress v4(const std::string& name, const std::string& address) {
  return {name, AF_INET, address, true};
}
InterfaceAddress v6(const std::string& name, const std::string& address) {
  return {name, AF_INET6, address, true};
}

// A typical cloud GPU node: loopback, docker's bridge listed before the
// real NIC, an IPoIB interface and IPv6 link-local addresses.
std::vector<InterfaceAddress> cloud_node() {
  return {v4("lo", "127.0.0.1"),   v4("docker0", "172.17.0.1"),
          v4("eth0", "10.0.0.5"),  v4("ib0", "192.168.10.5"),
          v6("lo", "::1"),         v6("eth0", "fe80::1"),
          v4("enp5s0", "10.1.0.5")};
}

}  // namespace

TEST_CASE("NCCL unset: IPoIB interfaces first", "[network_facts]") {
  const auto choice = nccl_socket_interfaces(cloud_node(), std::nullopt, std::nullopt);
  CHECK(choice.interfaces == std::vector<std::string>{"ib0"});
  CHECK(choice.rule == "automatic (ib)");
}

TEST_CASE("NCCL unset, no ib: everything but docker and lo, in getifaddrs order",
          "[network_facts]") {
  auto addresses = cloud_node();
  std::erase_if(addresses, [](const InterfaceAddress& a) { return a.interface == "ib0"; });
  const auto choice = nccl_socket_interfaces(addresses, std::nullopt, std::nullopt);
  CHECK(choice.interfaces == std::vector<std::string>{"eth0", "enp5s0"});
  CHECK(choice.rule == "automatic (^docker,lo)");
}

TEST_CASE("NCCL unset: docker before loopback when nothing else has an address",
          "[network_facts]") {
  CHECK(nccl_socket_interfaces({v4("lo", "127.0.0.1"), v4("docker0", "172.17.0.1")}, std::nullopt,
                               std::nullopt)
            .interfaces == std::vector<std::string>{"docker0"});
  const auto only_lo =
      nccl_socket_interfaces({v4("lo", "127.0.0.1"), v6("lo", "::1")}, std::nullopt, std::nullopt);
  CHECK(only_lo.interfaces == std::vector<std::string>{"lo"});
  CHECK(only_lo.rule == "automatic (lo)");
  CHECK(nccl_socket_interfaces({}, std::nullopt, std::nullopt).interfaces.empty());
}

TEST_CASE("NCCL_SOCKET_IFNAME: prefixes, exact names, exclusions", "[network_facts]") {
  const auto node = cloud_node();
  CHECK(nccl_socket_interfaces(node, std::string("en"), std::nullopt).interfaces ==
        std::vector<std::string>{"enp5s0"});
  CHECK(nccl_socket_interfaces(node, std::string("eth,ib"), std::nullopt).interfaces ==
        std::vector<std::string>{"eth0", "ib0"});
  CHECK(nccl_socket_interfaces(node, std::string("=eth"), std::nullopt).interfaces.empty());
  CHECK(nccl_socket_interfaces(node, std::string("=eth0"), std::nullopt).interfaces ==
        std::vector<std::string>{"eth0"});
  CHECK(nccl_socket_interfaces(node, std::string("^docker,lo,ib"), std::nullopt).interfaces ==
        std::vector<std::string>{"eth0", "enp5s0"});
  CHECK(nccl_socket_interfaces(node, std::string("^=eth0,lo"), std::nullopt).interfaces ==
        std::vector<std::string>{"docker0", "ib0", "enp5s0"});
  // A port suffix is for IB HCAs; for sockets the name is what counts.
  CHECK(nccl_socket_interfaces(node, std::string("eth0:1"), std::nullopt).interfaces ==
        std::vector<std::string>{"eth0"});
  const auto typo = nccl_socket_interfaces(node, std::string("eht0"), std::nullopt);
  CHECK(typo.interfaces.empty());
  CHECK(typo.rule == "NCCL_SOCKET_IFNAME=eht0");
}

TEST_CASE("NCCL ignores a one-character NCCL_SOCKET_IFNAME", "[network_facts]") {
  CHECK(nccl_socket_interfaces(cloud_node(), std::string("e"), std::nullopt).rule ==
        "automatic (ib)");
}

TEST_CASE("NCCL_SOCKET_FAMILY keeps one family; IPv6 loopback never counts", "[network_facts]") {
  const std::vector<InterfaceAddress> addresses = {v6("lo", "::1"), v6("eth1", "2001:db8::5"),
                                                   v4("eth0", "10.0.0.5")};
  CHECK(nccl_socket_interfaces(addresses, std::nullopt, std::string("AF_INET6")).interfaces ==
        std::vector<std::string>{"eth1"});
  CHECK(nccl_socket_interfaces(addresses, std::nullopt, std::string("AF_INET")).interfaces ==
        std::vector<std::string>{"eth0"});
  CHECK(nccl_socket_interfaces({v6("lo", "::1")}, std::string("lo"), std::nullopt)
            .interfaces.empty());
}

TEST_CASE("InfiniBand devices and ports from /sys/class/infiniband", "[network_facts]") {
  ScratchDir root;
  root.write("sys/class/infiniband/mlx5_1/ports/1/state", "1: DOWN\n");
  root.write("sys/class/infiniband/mlx5_1/ports/1/rate", "10 Gb/sec (4X SDR)\n");
  root.write("sys/class/infiniband/mlx5_1/ports/1/link_layer", "Ethernet\n");
  root.write("sys/class/infiniband/mlx5_0/ports/1/state", "4: ACTIVE\n");
  root.write("sys/class/infiniband/mlx5_0/ports/1/rate", "200 Gb/sec (4X HDR)\n");
  root.write("sys/class/infiniband/mlx5_0/ports/1/link_layer", "InfiniBand\n");
  const auto devices = read_infiniband_devices(root.path());
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].name == "mlx5_0");
  REQUIRE(devices[0].ports.size() == 1);
  CHECK(devices[0].ports[0].number == 1);
  CHECK(devices[0].ports[0].state == "4: ACTIVE");
  CHECK(devices[0].ports[0].rate == "200 Gb/sec (4X HDR)");
  CHECK(devices[0].ports[0].link_layer == "InfiniBand");
  CHECK(devices[1].ports[0].link_layer == "Ethernet");
}

TEST_CASE("no /sys/class/infiniband: no devices", "[network_facts]") {
  ScratchDir root;
  CHECK(read_infiniband_devices(root.path()).empty());
}

TEST_CASE("this machine's interfaces include loopback", "[network_facts]") {
  const auto addresses = list_interface_addresses();
  const bool has_loopback =
      std::any_of(addresses.begin(), addresses.end(),
                  [](const InterfaceAddress& a) { return a.address == "127.0.0.1"; });
  CHECK(has_loopback);
}
