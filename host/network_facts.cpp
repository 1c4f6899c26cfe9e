#include "host/network_facts.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string_view>

#include "base/directory.hpp"
#include "base/system_error.hpp"

namespace accel::host {

namespace {

constexpr std::size_t kNcclMaxInterfaces = 16;  // NCCL's MAX_IFS

// One NCCL interface list ("^=eth0,ib"), parsed as NCCL parses it.
struct InterfaceFilter {
  bool exclude = false;
  bool exact = false;
  std::vector<std::string> names;

  explicit InterfaceFilter(std::string_view text) {
    exclude = text.starts_with('^');
    if (exclude) text.remove_prefix(1);
    exact = text.starts_with('=');
    if (exact) text.remove_prefix(1);
    while (!text.empty()) {
      const std::size_t comma = text.find(',');
      std::string_view entry = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
      entry = entry.substr(0, entry.find(':'));  // "eth0:1": the port is for IB HCAs
      if (!entry.empty()) names.emplace_back(entry);
    }
  }

  bool listed(const std::string& name) const {
    if (names.empty()) return true;  // NCCL: an empty list matches everything
    return std::any_of(names.begin(), names.end(), [&](const std::string& entry) {
      return exact ? name == entry : name.starts_with(entry);
    });
  }
  bool accepts(const std::string& name) const { return listed(name) != exclude; }
};

bool is_ipv6_loopback(const InterfaceAddress& address) {
  return address.family == AF_INET6 && address.address == "::1";
}

std::vector<std::string> find_interfaces(const std::vector<InterfaceAddress>& addresses,
                                         std::string_view filter_text, int family) {
  const InterfaceFilter filter(filter_text);
  std::vector<std::string> found;
  for (const InterfaceAddress& address : addresses) {
    if (found.size() == kNcclMaxInterfaces) break;
    if (address.family != AF_INET && address.family != AF_INET6) continue;
    if (family != 0 && address.family != family) continue;
    if (is_ipv6_loopback(address) || !filter.accepts(address.interface)) continue;
    if (std::find(found.begin(), found.end(), address.interface) == found.end()) {
      found.push_back(address.interface);
    }
  }
  return found;
}

std::string numeric(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw =
      address->sa_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return ::inet_ntop(address->sa_family, raw, text, sizeof text) != nullptr ? text : "";
}

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> entries;
  base::for_each_entry(directory, [&entries](const std::filesystem::directory_entry& entry) {
    entries.push_back(entry.path());
    return true;
  });
  std::sort(entries.begin(), entries.end());
  return entries;
}

}  // namespace

std::vector<InterfaceAddress> list_interface_addresses() {
  ifaddrs* raw_list = nullptr;
  ACCEL_CHECK_SYSCALL(::getifaddrs(&raw_list), "getifaddrs (listing network interfaces)");
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw_list, &::freeifaddrs);
  std::vector<InterfaceAddress> addresses;
  for (const ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    const int family = entry->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    addresses.push_back(InterfaceAddress{entry->ifa_name, family, numeric(entry->ifa_addr),
                                         (entry->ifa_flags & IFF_UP) != 0});
  }
  return addresses;
}

NcclInterfaceChoice nccl_socket_interfaces(const std::vector<InterfaceAddress>& addresses,
                                           const std::optional<std::string>& socket_ifname,
                                           const std::optional<std::string>& socket_family) {
  int family = 0;
  if (socket_family == "AF_INET") family = AF_INET;
  if (socket_family == "AF_INET6") family = AF_INET6;
  NcclInterfaceChoice choice;
  if (socket_ifname && socket_ifname->size() > 1) {
    choice.interfaces = find_interfaces(addresses, *socket_ifname, family);
    choice.rule = "NCCL_SOCKET_IFNAME=" + *socket_ifname;
    return choice;
  }
  // NCCL's automatic order: InfiniBand (IPoIB) first, then anything but
  // docker and loopback, then docker, then loopback.
  for (const char* rule : {"ib", "^docker,lo", "docker", "lo"}) {
    choice.interfaces = find_interfaces(addresses, rule, family);
    if (!choice.interfaces.empty()) {
      choice.rule = std::string("automatic (") + rule + ")";
      return choice;
    }
  }
  choice.rule = "automatic (no interface with an address)";
  return choice;
}

std::vector<InfinibandDevice> read_infiniband_devices(const std::filesystem::path& root) {
  std::vector<InfinibandDevice> devices;
  for (const std::filesystem::path& device_dir : sorted_entries(root / "sys/class/infiniband")) {
    InfinibandDevice device;
    device.name = device_dir.filename().string();
    for (const std::filesystem::path& port_dir : sorted_entries(device_dir / "ports")) {
      InfinibandPort port;
      try {
        port.number = std::stoi(port_dir.filename().string());
      } catch (const std::exception&) {
        continue;  // not a port folder
      }
      port.state = first_line(port_dir / "state");
      port.rate = first_line(port_dir / "rate");
      port.link_layer = first_line(port_dir / "link_layer");
      device.ports.push_back(std::move(port));
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace accel::host
