// Which local address and interface this machine would use to reach an IP
// address, for error messages that must say where a connection came from
// ("connected from 10.1.2.3 on eth0"). route_toward() asks the kernel's
// routing table by connect()ing a UDP socket, which sends no packet, and
// reads back the address it bound; getifaddrs() then names the interface.
// Numeric addresses only (IPv4 or IPv6): resolve names first.
// Errors: base::SystemError for failed syscalls, std::invalid_argument for a
// string that is not an IP address. Thread-safe (no shared state).
#pragma once

#include <string>

namespace accel::base {

struct LocalRoute {
  std::string local_address;  // numeric, e.g. "10.1.2.3" or "fe80::1"
  std::string interface;      // e.g. "eth0"; empty when no interface has that address
};

// The local end the kernel would pick for a connection to `ip`.
LocalRoute route_toward(const std::string& ip);

// The name of the interface that holds `local_ip`, or "" when none does.
std::string interface_of_address(const std::string& local_ip);

// 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z); false for
// anything that is not a numeric IP address ("localhost" included).
bool is_loopback(const std::string& ip);

}  // namespace accel::base
