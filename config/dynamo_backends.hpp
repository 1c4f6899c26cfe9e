// torch.compile backends as Accelerate names them (its DynamoBackend enum),
// spelled once for the wizard's menu and launch's check.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace accel::config {

// Every DynamoBackend value, in Accelerate's order, NO first.
std::span<const std::string_view> dynamo_backends();

// The wizard's menu: Accelerate's DYNAMO_BACKENDS list (EAGER .. TVM), in its
// order so the menu numbers match `accelerate config`. Accelerate's list spells
// one entry TORHCHXLA_TRACE_ONCE, which its own enum then rejects; accel
// offers the enum's spelling, TORCHXLA_TRACE_ONCE.
std::span<const std::string_view> dynamo_backend_menu();

// The enum value for a backend name in any case ("inductor" -> "INDUCTOR"),
// or nullopt when Accelerate has no such backend.
std::optional<std::string_view> find_dynamo_backend(std::string_view name);

}  // namespace accel::config
