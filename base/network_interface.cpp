#include "base/network_interface.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "base/system_error.hpp"
#include "base/unique_fd.hpp"

namespace accel::base {

namespace {

// An IPv4 or IPv6 socket address parsed from a numeric string; nullopt-like
// `family == AF_UNSPEC` for anything else.
struct ParsedAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
};

ParsedAddress parse_address(const std::string& ip, uint16_t port) {
  ParsedAddress parsed;
  sockaddr_in v4{};
  if (::inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&parsed.storage, &v4, sizeof v4);
    parsed.length = sizeof v4;
    parsed.family = AF_INET;
    return parsed;
  }
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&parsed.storage, &v6, sizeof v6);
    parsed.length = sizeof v6;
    parsed.family = AF_INET6;
  }
  return parsed;
}

std::string numeric_address(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = nullptr;
  if (address->sa_family == AF_INET) {
    raw = &reinterpret_cast<const sockaddr_in*>(address)->sin_addr;
  } else if (address->sa_family == AF_INET6) {
    raw = &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  } else {
    return "";
  }
  if (::inet_ntop(address->sa_family, raw, text, sizeof text) == nullptr) return "";
  return text;
}

bool same_address(const sockaddr* a, const ParsedAddress& b) {
  if (a->sa_family != b.family) return false;
  if (a->sa_family == AF_INET) {
    const auto* b4 = reinterpret_cast<const sockaddr_in*>(&b.storage);
    return std::memcmp(&reinterpret_cast<const sockaddr_in*>(a)->sin_addr, &b4->sin_addr,
                       sizeof(in_addr)) == 0;
  }
  const auto* b6 = reinterpret_cast<const sockaddr_in6*>(&b.storage);
  return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, &b6->sin6_addr,
                     sizeof(in6_addr)) == 0;
}

}  // namespace

LocalRoute route_toward(const std::string& ip) {
  // Port 9 (discard): any non-zero port works, since nothing is sent.
  const ParsedAddress target = parse_address(ip, 9);
  if (target.family == AF_UNSPEC) {
    throw std::invalid_argument("route_toward: '" + ip + "' is not a numeric IP address");
  }
  UniqueFd udp(ACCEL_CHECK_SYSCALL(::socket(target.family, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                   "socket (finding the route toward an address)"));
  const std::string what = "connect (UDP, finding the route toward " + ip + ")";
  ACCEL_CHECK_SYSCALL(
      ::connect(udp.get(), reinterpret_cast<const sockaddr*>(&target.storage), target.length),
      what.c_str());
  sockaddr_storage local{};
  socklen_t local_length = sizeof local;
  ACCEL_CHECK_SYSCALL(::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&local), &local_length),
                      "getsockname (finding the route toward an address)");
  LocalRoute route;
  route.local_address = numeric_address(reinterpret_cast<const sockaddr*>(&local));
  route.interface = interface_of_address(route.local_address);
  return route;
}

std::string interface_of_address(const std::string& local_ip) {
  const ParsedAddress wanted = parse_address(local_ip, 0);
  if (wanted.family == AF_UNSPEC) return "";
  ifaddrs* raw_list = nullptr;
  ACCEL_CHECK_SYSCALL(::getifaddrs(&raw_list), "getifaddrs");
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw_list, &::freeifaddrs);
  for (const ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr != nullptr && same_address(entry->ifa_addr, wanted)) {
      return entry->ifa_name;
    }
  }
  return "";
}

bool is_loopback(const std::string& ip) {
  const ParsedAddress parsed = parse_address(ip, 0);
  if (parsed.family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&parsed.storage);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (parsed.family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&parsed.storage);
    if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace accel::base
