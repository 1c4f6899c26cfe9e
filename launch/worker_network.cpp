#include "launch/worker_network.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <stdexcept>

#include "base/network_interface.hpp"
#include "supervisor/log.hpp"

namespace accel::launch {

std::string numeric_address(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return "";
  char text[NI_MAXHOST] = {};
  const int error = ::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0,
                                  NI_NUMERICHOST);
  ::freeaddrinfo(found);
  return error == 0 ? std::string(text) : std::string();
}

std::optional<std::string> gloo_interface(const std::string& master_addr) {
  const std::string ip = numeric_address(master_addr);
  if (ip.empty()) return std::nullopt;
  try {
    const base::LocalRoute route = base::route_toward(ip);
    if (!route.interface.empty()) return route.interface;
  } catch (const std::exception& error) {
    supervisor::log()->debug("no route toward {} ({}): GLOO_SOCKET_IFNAME left unset", ip,
                             error.what());
  }
  return std::nullopt;
}

}  // namespace accel::launch
