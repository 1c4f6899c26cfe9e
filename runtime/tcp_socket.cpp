#include "runtime/tcp_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "base/system_error.hpp"

namespace accel::runtime_detail {

namespace {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

SocketAddress socket_address(const Endpoint& endpoint) {
  SocketAddress address;
  sockaddr_in v4{};
  if (::inet_pton(AF_INET, endpoint.host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(endpoint.port);
    std::memcpy(&address.storage, &v4, sizeof v4);
    address.length = sizeof v4;
    return address;
  }
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET6, endpoint.host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(endpoint.port);
    std::memcpy(&address.storage, &v6, sizeof v6);
    address.length = sizeof v6;
    return address;
  }
  throw std::invalid_argument("'" + endpoint.host + "' is not a numeric IP address");
}

std::uint16_t port_of(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

base::UniqueFd new_socket(int family) {
  return base::UniqueFd(ACCEL_CHECK_SYSCALL(
      ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket (TCP collectives)"));
}

// Waits for `events` on `fd` until the deadline; false on the deadline.
bool wait_for(int fd, short events, SocketClock::time_point deadline) {
  pollfd entry{fd, events, 0};
  const int ready =
      base::retry_on_eintr([&] { return ::poll(&entry, 1, poll_milliseconds_until(deadline)); });
  ACCEL_CHECK_SYSCALL(ready, "poll (TCP collectives)");
  return ready > 0;
}

}  // namespace

std::string Endpoint::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                           [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int port = std::stoi(port_text);
  if (port < 1 || port > 65535) return std::nullopt;
  return Endpoint{host, static_cast<std::uint16_t>(port)};
}

Listener listen_on(const std::string& host, int backlog) {
  const SocketAddress address = socket_address(Endpoint{host, 0});
  base::UniqueFd fd = new_socket(address.storage.ss_family);
  ACCEL_CHECK_SYSCALL(
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length),
      "bind (TCP collectives listener)");
  ACCEL_CHECK_SYSCALL(::listen(fd.get(), backlog), "listen (TCP collectives)");
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ACCEL_CHECK_SYSCALL(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length),
                      "getsockname (TCP collectives listener)");
  return Listener{std::move(fd), Endpoint{host, port_of(bound)}};
}

base::UniqueFd connect_before(const Endpoint& endpoint, SocketClock::time_point deadline,
                              std::string& error) {
  const SocketAddress address = socket_address(endpoint);
  auto retry_pause = std::chrono::milliseconds(5);
  for (;;) {
    base::UniqueFd fd = new_socket(address.storage.ss_family);
    int result = base::retry_on_eintr([&] {
      return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage),
                       address.length);
    });
    int connect_errno = result == 0 ? 0 : errno;
    if (connect_errno == EINPROGRESS) {
      if (!wait_for(fd.get(), POLLOUT, deadline)) {
        error = "no answer";
        return {};
      }
      socklen_t length = sizeof connect_errno;
      ACCEL_CHECK_SYSCALL(::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &connect_errno, &length),
                          "getsockopt(SO_ERROR) (TCP collectives)");
    }
    if (connect_errno == 0) return fd;
    error = std::strerror(connect_errno);
    // A refusal or a full backlog passes; anything else will not.
    const bool transient = connect_errno == ECONNREFUSED || connect_errno == EAGAIN ||
                           connect_errno == ETIMEDOUT || connect_errno == ECONNRESET;
    if (!transient || SocketClock::now() + retry_pause >= deadline) return {};
    std::this_thread::sleep_for(retry_pause);
    retry_pause = std::min(retry_pause * 2, std::chrono::milliseconds(200));
  }
}

base::UniqueFd accept_pending(int listener) {
  const int fd = base::retry_on_eintr(
      [&] { return ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK); });
  if (fd >= 0) return base::UniqueFd(fd);
  // A connection reset before it was accepted is gone; not an error of ours.
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return {};
  ACCEL_CHECK_SYSCALL(fd, "accept4 (TCP collectives)");
  return {};
}

bool send_before(int fd, const void* data, std::size_t size, SocketClock::time_point deadline,
                 std::string& error) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t sent =
        base::retry_on_eintr([&] { return ::send(fd, bytes, size, MSG_NOSIGNAL); });
    if (sent > 0) {
      bytes += sent;
      size -= static_cast<std::size_t>(sent);
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = std::strerror(errno);
      return false;
    }
    if (!wait_for(fd, POLLOUT, deadline)) {
      error = "timed out";
      return false;
    }
  }
  return true;
}

void set_no_delay(int fd) {
  const int on = 1;
  ACCEL_CHECK_SYSCALL(::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on),
                      "setsockopt(TCP_NODELAY)");
}

int poll_milliseconds_until(SocketClock::time_point deadline) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - SocketClock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000));
}

}  // namespace accel::runtime_detail
