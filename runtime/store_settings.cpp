#include "runtime/store_settings.hpp"

#include <charconv>
#include <stdexcept>

#include "base/environment.hpp"
#include "rendezvous/env_names.hpp"

namespace accel::runtime_detail {

namespace {

constexpr const char* kDoNotOverride = "; the launcher sets it, so do not override it";

std::optional<long long> parse_integer(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// `may_be_empty`: the job token of a job started without --rdzv_token is
// set but empty (its launchers warned that the job is unauthenticated).
std::string required(const base::EnvLookup& lookup, const char* name, bool may_be_empty = false) {
  const auto value = lookup(name);
  if (!value || (value->empty() && !may_be_empty)) {
    throw std::invalid_argument(std::string(name) +
                                " is not set, but other ACCEL_STORE_* variables are; start the " +
                                "workers with accel launch, which sets all of them");
  }
  return *value;
}

}  // namespace

std::optional<StoreSettings> store_settings_from_env(const base::EnvLookup& lookup,
                                                     int world_size) {
  const auto addr = lookup(env::kAccelStoreAddr);
  const auto port = lookup(env::kAccelStorePort);
  if (!addr && !port) {
    if (world_size == 1) return std::nullopt;
    throw std::invalid_argument(
        "WORLD_SIZE=" + std::to_string(world_size) + " but " + env::kAccelStoreAddr +
        " is not set: libaccel synchronises its processes through accel's store, so start " +
        "them with accel launch (torchrun and accelerate launch do not run one)");
  }
  StoreSettings settings;
  settings.host = required(lookup, env::kAccelStoreAddr);
  const std::string port_text = required(lookup, env::kAccelStorePort);
  const auto port_value = parse_integer(port_text);
  if (!port_value || *port_value < 1 || *port_value > 65535) {
    throw std::invalid_argument(std::string(env::kAccelStorePort) + "='" + port_text +
                                "' is not a port (1-65535)" + kDoNotOverride);
  }
  settings.port = static_cast<uint16_t>(*port_value);
  settings.token = required(lookup, env::kAccelJobToken, /*may_be_empty=*/true);
  settings.job_id = required(lookup, env::kAccelJobId);
  return settings;
}

std::chrono::milliseconds runtime_timeout_from_env(const base::EnvLookup& lookup) {
  const auto text = lookup(kAccelRuntimeTimeout);
  if (!text) return kDefaultRuntimeTimeout;
  const auto seconds = parse_integer(*text);
  // A day is far beyond any barrier a healthy job waits at; the cap keeps
  // the millisecond count from overflowing.
  if (!seconds || *seconds < 1 || *seconds > 86'400) {
    throw std::invalid_argument(std::string(kAccelRuntimeTimeout) + "='" + *text +
                                "' is not a timeout: give whole seconds between 1 and 86400");
  }
  return std::chrono::seconds(*seconds);
}

}  // namespace accel::runtime_detail
