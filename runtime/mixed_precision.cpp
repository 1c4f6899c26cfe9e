#include "accel/mixed_precision.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "base/environment.hpp"
#include "rendezvous/env_names.hpp"

namespace accel {

namespace {

constexpr std::array kAll = {MixedPrecision::kNo, MixedPrecision::kFp16, MixedPrecision::kBf16,
                             MixedPrecision::kFp8};

std::string lower_case(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return lower;
}

}  // namespace

std::string_view to_string(MixedPrecision precision) {
  switch (precision) {
    case MixedPrecision::kNo: return "no";
    case MixedPrecision::kFp16: return "fp16";
    case MixedPrecision::kBf16: return "bf16";
    case MixedPrecision::kFp8: return "fp8";
  }
  return "no";  // not reached: every enumerator is handled above
}

MixedPrecision parse_mixed_precision(std::string_view text) {
  const std::string lower = lower_case(text);
  for (const MixedPrecision precision : kAll) {
    if (lower == to_string(precision)) return precision;
  }
  throw std::invalid_argument("mixed precision '" + std::string(text) +
                              "' is not one of no, fp16, bf16, fp8");
}

MixedPrecision mixed_precision_from_environment(const base::EnvLookup& lookup) {
  const auto value = lookup(env::kAccelerateMixedPrecision);
  if (!value) return MixedPrecision::kNo;
  try {
    return parse_mixed_precision(*value);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(std::string(env::kAccelerateMixedPrecision) + "='" + *value +
                                "' is not one of no, fp16, bf16, fp8; the launcher sets it from "
                                "--mixed_precision or the config file's mixed_precision");
  }
}

MixedPrecision mixed_precision_from_environment() {
  return mixed_precision_from_environment(base::process_environment());
}

}  // namespace accel
