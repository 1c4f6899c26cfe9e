#include "cli/port_probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace accel::cli {

namespace {

// A socket closed on every path out of this file's functions.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);  // nothing was sent: close cannot lose data
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Binds a wildcard socket on `port` (0: any). Returns the bound port, or -1
// with `failure` set to the errno of the failed call and `error` naming it.
// errno is saved before the socket closes so close() cannot clobber it.
int bind_wildcard(int port, std::string& error, int& failure) {
  const auto system_error = [&error, &failure](const char* call) {
    failure = errno;
    error = std::string(call) + ": " + std::strerror(failure);
  };
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ipv6 = fd >= 0;
  if (!ipv6) fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    system_error("socket");
    return -1;
  }
  Socket socket(fd);
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
    system_error("setsockopt(SO_REUSEADDR)");
    return -1;
  }
  sockaddr_storage address{};
  socklen_t length = 0;
  if (ipv6) {
    const int off = 0;  // dual-stack: also covers IPv4 on the same port
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) {
      system_error("setsockopt(IPV6_V6ONLY)");
      return -1;
    }
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_any;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
    in4->sin_family = AF_INET;
    in4->sin_addr.s_addr = htonl(INADDR_ANY);
    in4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof(sockaddr_in);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    system_error("bind");
    return -1;
  }
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    system_error("getsockname");
    return -1;
  }
  return ipv6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

}  // namespace

PortProbe probe_port(int port) {
  std::string error;
  int failure = 0;
  if (bind_wildcard(port, error, failure) >= 0) return PortProbe{true, ""};
  if (failure == EADDRINUSE) return PortProbe{false, ""};
  return PortProbe{false, error};
}

std::optional<int> pick_free_port(std::string& error) {
  int failure = 0;
  const int port = bind_wildcard(0, error, failure);
  if (port <= 0) return std::nullopt;
  return port;
}

}  // namespace accel::cli
