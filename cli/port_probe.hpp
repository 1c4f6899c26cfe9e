// Is a TCP port free for the job's store? Rank 0's worker (torch's TCPStore,
// or libaccel) listens on MASTER_PORT on every interface, so the probe binds
// the wildcard address (IPv6 dual-stack, else IPv4) with SO_REUSEADDR, as the
// store does. A port found free can still be taken before the worker binds
// it; the launcher cannot close that window without holding the socket.
#pragma once

#include <optional>
#include <string>

namespace accel::cli {

struct PortProbe {
  bool free = false;
  std::string error;  // set when the probe itself failed (not "in use"); free is then unknown
};

PortProbe probe_port(int port);

// A port the kernel picks from its ephemeral range; nullopt plus `error` when
// no socket could be bound.
std::optional<int> pick_free_port(std::string& error);

}  // namespace accel::cli
