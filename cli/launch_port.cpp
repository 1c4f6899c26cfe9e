#include "cli/launch_port.hpp"

#include <spdlog/spdlog.h>

#include <ostream>

#include "cli/errors.hpp"
#include "cli/port_probe.hpp"

namespace accel::cli {

namespace {

int free_port_or_throw(const char* why) {
  std::string error;
  const std::optional<int> port = pick_free_port(error);
  if (!port) {
    throw UserError(std::string("no free TCP port for MASTER_PORT (") + why + "): " + error +
                        "; pass --main_process_port with a port you know is free",
                    kExitFailure);
  }
  return *port;
}

}  // namespace

int choose_master_port(const config::LaunchSpec& spec, std::ostream& notices) {
  if (spec.master_port == 0) {
    const int port = free_port_or_throw("--main_process_port 0");
    spdlog::debug("accel launch: --main_process_port 0: picked free port {}", port);
    return port;
  }
  // A single worker talks to nobody; Accelerate only checks the port when it
  // runs several.
  if (spec.nproc_per_node < 2) return spec.master_port;
  const PortProbe probe = probe_port(spec.master_port);
  if (probe.free) return spec.master_port;
  if (!probe.error.empty()) {
    // Not "in use" but "cannot tell" (no sockets allowed, ...): let the
    // workers try the port themselves.
    spdlog::debug("accel launch: could not probe port {}: {}", spec.master_port, probe.error);
    return spec.master_port;
  }
  const int port = free_port_or_throw("the requested port is in use");
  notices << "accel launch: port " << spec.master_port << " is already in use; using free port "
          << port
          << " for MASTER_PORT instead (pass --main_process_port PORT to choose, or 0 for any free "
             "port)\n"
          << std::flush;
  return port;
}

}  // namespace accel::cli
