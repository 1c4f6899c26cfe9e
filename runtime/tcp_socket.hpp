// The socket plumbing under the TCP collectives (tcp_mesh.hpp): listening on
// an ephemeral port, connecting and moving whole handshakes before a
// deadline. Every descriptor is close-on-exec and non-blocking; waits are
// poll(2) with the time left, so nothing here blocks past its deadline.
// Addresses are numeric IPv4 or IPv6 ("10.0.0.1", "fe80::1"); endpoints
// read "host:port" or "[v6host]:port".
//
// Errors: base::SystemError for syscalls that must not fail (socket, bind,
// listen); the calls that talk to a peer report failure by return value,
// because the caller knows which rank it was and what to say.
// Thread-safety: no shared state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/unique_fd.hpp"

namespace accel::runtime_detail {

using SocketClock = std::chrono::steady_clock;

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  std::string text() const;  // "host:port", "[v6]:port"
};

// Parses Endpoint::text(); nullopt for anything else.
std::optional<Endpoint> parse_endpoint(const std::string& text);

// A listening socket on `host` (numeric), port chosen by the kernel.
struct Listener {
  base::UniqueFd fd;
  Endpoint endpoint;  // what peers connect to
};
Listener listen_on(const std::string& host, int backlog);

// Connects to `endpoint`, retrying refusals (the peer may not listen yet)
// until `deadline`. An invalid UniqueFd on the deadline; `error` says why
// the last attempt failed.
base::UniqueFd connect_before(const Endpoint& endpoint, SocketClock::time_point deadline,
                              std::string& error);

// A descriptor from accept4 (non-blocking, close-on-exec), or invalid when
// none is pending.
base::UniqueFd accept_pending(int listener);

// Sends all of `data` before `deadline`; false on a broken connection or the
// deadline (errno-style text in `error`).
bool send_before(int fd, const void* data, std::size_t size, SocketClock::time_point deadline,
                 std::string& error);

// Sets TCP_NODELAY: the collectives send whole messages and wait for
// answers, the pattern Nagle's algorithm delays.
void set_no_delay(int fd);

// Milliseconds from now to `deadline` for poll(2): 0 when past, capped so
// the int cannot overflow.
int poll_milliseconds_until(SocketClock::time_point deadline);

}  // namespace accel::runtime_detail
