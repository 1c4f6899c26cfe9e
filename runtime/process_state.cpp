#include "accel/process_state.hpp"

#include <charconv>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "base/environment.hpp"
#include "rendezvous/env_names.hpp"

namespace accel {

// The public headers spell the lookup type themselves (they are installed
// without base/); it must stay the very type the launcher's code passes.
static_assert(std::is_same_v<EnvLookup, base::EnvLookup>,
              "accel/environment_lookup.hpp and base/environment.hpp disagree on EnvLookup");

namespace {

std::optional<int> read_int(const EnvLookup& lookup, const char* name) {
  const auto text = lookup(name);
  if (!text) return std::nullopt;
  int value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end) {
    throw std::invalid_argument(std::string(name) + "='" + *text +
                                "' is not an integer; the launcher sets it, so do not override it");
  }
  return value;
}

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

}  // namespace

ProcessState process_state_from_env(const EnvLookup& lookup) {
  ProcessState state;
  state.rank = read_int(lookup, env::kRank).value_or(0);
  state.world_size = read_int(lookup, env::kWorldSize).value_or(1);
  state.local_rank = read_int(lookup, env::kLocalRank).value_or(0);
  state.local_world_size = read_int(lookup, env::kLocalWorldSize).value_or(state.world_size);
  state.node_rank =
      read_int(lookup, env::kGroupRank).value_or(read_int(lookup, env::kAccelNodeRank).value_or(0));
  state.restart_count = read_int(lookup, env::kRestartCount).value_or(0);
  state.local_device = read_int(lookup, env::kAccelLocalDevice);

  require(state.world_size >= 1,
          "WORLD_SIZE must be at least 1, got " + std::to_string(state.world_size));
  require(state.rank >= 0 && state.rank < state.world_size,
          "RANK=" + std::to_string(state.rank) + " is outside 0.." +
              std::to_string(state.world_size - 1) +
              " (WORLD_SIZE=" + std::to_string(state.world_size) + ")");
  require(state.local_world_size >= 1 && state.local_world_size <= state.world_size,
          "LOCAL_WORLD_SIZE=" + std::to_string(state.local_world_size) +
              " must be between 1 and WORLD_SIZE=" + std::to_string(state.world_size));
  require(state.local_rank >= 0 && state.local_rank < state.local_world_size,
          "LOCAL_RANK=" + std::to_string(state.local_rank) + " is outside 0.." +
              std::to_string(state.local_world_size - 1));
  return state;
}

ProcessState process_state_from_env() {
  return process_state_from_env(base::process_environment());
}

}  // namespace accel
