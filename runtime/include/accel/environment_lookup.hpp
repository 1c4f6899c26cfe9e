// How the runtime reads the environment the launcher gave a worker: through a
// lookup function, so tests (and programs that set up their own job) pass the
// variables they want instead of changing the process environment.
//
// It is the same type as the launcher's accel::base::EnvLookup
// (base/environment.hpp; process_state.cpp asserts it), spelled here again so
// the installed public headers need nothing outside include/accel/.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace accel {

// Returns the value of a variable, nullopt when unset (set but empty is "").
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

}  // namespace accel
