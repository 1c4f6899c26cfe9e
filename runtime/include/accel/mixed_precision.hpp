// Which mixed-precision mode the job runs in, as the launcher tells its
// workers: ACCELERATE_MIXED_PRECISION, set by `accel launch` and `accelerate
// launch` from --mixed_precision or the config file's mixed_precision.
//
//   no    fp32 throughout (also when the variable is unset: a process started
//         by hand)
//   fp16  fp16 compute; gradients need loss scaling (GradScaler enabled)
//   bf16  bf16 compute; fp32's exponent range, so no loss scaling
//   fp8   FP8 recipes (TransformerEngine, MS-AMP, torchao) scale per tensor
//         themselves, and Accelerate creates no GradScaler for fp8, so
//         neither does libaccel; it has no fp8 conversions yet
//
// Thread-safety: pure functions (the environment overload reads getenv).
#pragma once

#include <string_view>

#include "accel/environment_lookup.hpp"

namespace accel {

enum class MixedPrecision { kNo, kFp16, kBf16, kFp8 };

// "no", "fp16", "bf16", "fp8": the spelling Accelerate uses.
std::string_view to_string(MixedPrecision precision);

// Accepts those spellings in any letter case, as Accelerate does. Throws
// std::invalid_argument naming the text and the accepted values.
MixedPrecision parse_mixed_precision(std::string_view text);

// ACCELERATE_MIXED_PRECISION from `lookup`; kNo when unset. A value that is
// set but not one of the four (empty included) throws std::invalid_argument
// naming the variable, as Accelerate refuses to start with it.
MixedPrecision mixed_precision_from_environment(const EnvLookup& lookup);
MixedPrecision mixed_precision_from_environment();  // the real environment

}  // namespace accel
