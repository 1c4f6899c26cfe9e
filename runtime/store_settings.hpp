// Where a worker finds its job's KV store, and how long the runtime waits on
// it, read from the launcher's environment (rendezvous/env_names.hpp). Run
// without a launcher (a world of one) there is no store and none is needed.
//
// Errors: std::invalid_argument naming the variable and what to do
// ("ACCEL_STORE_PORT='x' is not a port (1-65535) ...").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/environment.hpp"

namespace accel::runtime_detail {

// Seconds the runtime waits for a store call or a barrier before it fails;
// documented in docs/runtime.md ("Process state and synchronisation").
inline constexpr const char* kAccelRuntimeTimeout = "ACCEL_RUNTIME_TIMEOUT";
inline constexpr std::chrono::milliseconds kDefaultRuntimeTimeout{600'000};

struct StoreSettings {
  std::string host;
  uint16_t port = 0;
  std::string token;
  std::string job_id;

  std::string address() const { return host + ":" + std::to_string(port); }
};

// The store's settings, or nullopt when the launcher set none of them and
// the world is one process. Throws when some are set but not all, when one
// is malformed, or when WORLD_SIZE > 1 and there is no store to meet at.
std::optional<StoreSettings> store_settings_from_env(const base::EnvLookup& lookup, int world_size);

// ACCEL_RUNTIME_TIMEOUT in whole seconds (> 0), else the default.
std::chrono::milliseconds runtime_timeout_from_env(const base::EnvLookup& lookup);

}  // namespace accel::runtime_detail
