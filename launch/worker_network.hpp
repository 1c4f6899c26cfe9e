// The network facts a launcher adds to its workers' environment: the
// address main_process_ip stands for, and the interface gloo must use
// (GLOO_SOCKET_IFNAME) so the other machines can reach this one's workers.
// Asks the resolver and the kernel's routing table (no packet is sent).
// Thread-safe.
#pragma once

#include <optional>
#include <string>

namespace accel::launch {

// The numeric address of `host` (main_process_ip may be a name, as SLURM's
// node names are), or "" when it does not resolve.
std::string numeric_address(const std::string& host);

// The interface this machine uses to reach `master_addr` (on machine 0, the
// one holding it), or nullopt when it does not resolve or has no route.
// Without GLOO_SOCKET_IFNAME, gloo advertises what the hostname resolves to
// (127.0.1.1 on Debian), and a two-machine torch job fails with
// "Connection refused".
std::optional<std::string> gloo_interface(const std::string& master_addr);

}  // namespace accel::launch
