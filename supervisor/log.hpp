// The supervisor's log: spdlog's logger "accel", writing to stderr with a
// "[accel] " prefix so users can tell launcher lines from worker output. The
// cli sets the level (spdlog::set_level: debug with --debug). Lines go to
// stderr, never into the workers' output streams.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace accel::supervisor {

// Created on first use; shared by the whole process.
std::shared_ptr<spdlog::logger> log();

}  // namespace accel::supervisor
