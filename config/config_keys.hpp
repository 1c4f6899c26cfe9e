// The top-level keys a config file may hold: ClusterConfig's fields, plus the
// legacy spellings Accelerate still converts on load (`fp16`,
// `dynamo_backend`). Anything else is refused, as Accelerate refuses it, so a
// typo never silently falls back to a default; the refusal suggests the
// closest key.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace accel::config {

// The keys of ClusterConfig in the order docs/config.md lists them.
std::span<const std::string_view> cluster_config_keys();

// Keys Accelerate converts to their current form when it loads a file.
std::span<const std::string_view> legacy_keys();

// Keys of Accelerate's SageMakerConfig that ClusterConfig lacks; accel names
// them when it refuses an AMAZON_SAGEMAKER file.
std::span<const std::string_view> sagemaker_only_keys();

bool is_known_key(std::string_view key);

// Levenshtein distance (insert, delete, substitute; each costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known key closest to `unknown`, if it is close enough to be a likely
// typo: within a third of the key's length (at least 2 edits), or the same
// word with '-' for '_' or different case.
std::optional<std::string> closest_key(std::string_view unknown);

}  // namespace accel::config
