// MASTER_PORT for a job on one machine: the resolved port when it is free,
// a free one the kernel picks when it is 0 or already taken (said on the
// error stream, never a crash on EADDRINUSE). The rest of the world's
// machines would need the same port, so this is for one machine only.
#pragma once

#include <iosfwd>

#include "config/launch_spec.hpp"

namespace accel::cli {

int choose_master_port(const config::LaunchSpec& spec, std::ostream& notices);

}  // namespace accel::cli
