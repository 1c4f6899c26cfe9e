#include "supervisor/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace accel::supervisor {

std::shared_ptr<spdlog::logger> log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("accel")) return existing;
    // stderr_logger_mt registers the logger, so spdlog::set_level (the
    // cli's --debug) reaches it too.
    auto created = spdlog::stderr_logger_mt("accel");
    created->set_pattern("[accel %l] %v");
    created->set_level(spdlog::get_level());
    return created;
  }();
  return logger;
}

}  // namespace accel::supervisor
