// The inner loop of GradScaler::unscale: one pass over a buffer that both
// multiplies and checks, as aten's _amp_foreach_non_finite_check_and_unscale_
// does. Internal to libaccel.
#pragma once

#include <span>

namespace accel::detail {

// values[i] *= inv_scale for every i, except that inv_scale == 1 leaves the
// buffer untouched (torch skips the multiply then). Returns whether any
// value was Inf or NaN before the multiply.
bool unscale_and_check(std::span<float> values, float inv_scale);

}  // namespace accel::detail
