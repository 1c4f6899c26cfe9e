// The network as a distributed job sees it, for `accel env`: this machine's
// interfaces and addresses, the interfaces NCCL's socket transport and
// bootstrap would use, and the InfiniBand devices with their ports. A wrong
// NCCL interface (docker0 picked on a cloud VM, an IPv6-only interface, a
// typo in NCCL_SOCKET_IFNAME) is the classic multi-machine hang.
//
// NCCL's choice (src/misc/socket.cc, ncclFindInterfaces) is reproduced as a
// pure function of the address list and the variables, so each rule is
// unit-tested:
//   - NCCL_SOCKET_IFNAME (ignored when shorter than 2 characters): a comma
//     list; a leading '^' excludes what it names; then a leading '=' asks
//     for exact names, else each entry is a prefix ("eth" matches eth0);
//     ":port" suffixes are accepted and ignored, as for sockets.
//   - unset: interfaces starting with "ib"; else every interface but
//     docker* and lo*; else docker*; else lo*.
//   - NCCL_SOCKET_FAMILY=AF_INET / AF_INET6 keeps one family; IPv6 loopback
//     addresses never count.
// Interfaces come in getifaddrs(3) order, each once, at most 16 (MAX_IFS);
// the bootstrap uses the first. Not modelled: NCCL_COMM_ID's subnet match
// (tried before the "anything else" step when set).
//
// InfiniBand comes from <root>/sys/class/infiniband/<dev>/ports/<n>/{state,
// rate,link_layer}, so tests use a fake tree.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace accel::host {

// One address of one interface, in getifaddrs(3) order.
struct InterfaceAddress {
  std::string interface;  // "eth0"
  int family = 0;         // AF_INET or AF_INET6
  std::string address;    // numeric
  bool up = true;         // IFF_UP
};

// getifaddrs(3): the IPv4 and IPv6 addresses of every interface. Throws
// base::SystemError when getifaddrs itself fails.
std::vector<InterfaceAddress> list_interface_addresses();

struct NcclInterfaceChoice {
  std::vector<std::string> interfaces;  // in NCCL's order; empty: NCCL finds none and fails
  std::string rule;                     // which rule picked them, for the report
};

// `socket_ifname` / `socket_family`: NCCL_SOCKET_IFNAME / NCCL_SOCKET_FAMILY, nullopt when unset.
NcclInterfaceChoice nccl_socket_interfaces(const std::vector<InterfaceAddress>& addresses,
                                           const std::optional<std::string>& socket_ifname,
                                           const std::optional<std::string>& socket_family);

struct InfinibandPort {
  int number = 0;
  std::string state;       // "4: ACTIVE"
  std::string rate;        // "200 Gb/sec (4X HDR)"
  std::string link_layer;  // "InfiniBand" or "Ethernet" (RoCE)
};

struct InfinibandDevice {
  std::string name;  // "mlx5_0"
  std::vector<InfinibandPort> ports;
};

// <root>/sys/class/infiniband, devices and ports sorted by name; empty when
// the folder is missing (no RDMA driver).
std::vector<InfinibandDevice> read_infiniband_devices(const std::filesystem::path& root = "/");

}  // namespace accel::host
