#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "accel/grad_scaler.hpp"
#include "accel/mixed_precision.hpp"
#include "base/environment.hpp"

namespace {

accel::base::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

using accel::MixedPrecision;

}  // namespace

TEST_CASE("no ACCELERATE_MIXED_PRECISION means fp32 throughout", "[mixed_precision]") {
  CHECK(accel::mixed_precision_from_environment(env_of({})) == MixedPrecision::kNo);
}

TEST_CASE("each value the launcher writes is read back", "[mixed_precision]") {
  const auto read = [](const std::string& value) {
    return accel::mixed_precision_from_environment(env_of({{"ACCELERATE_MIXED_PRECISION", value}}));
  };
  CHECK(read("no") == MixedPrecision::kNo);
  CHECK(read("fp16") == MixedPrecision::kFp16);
  CHECK(read("bf16") == MixedPrecision::kBf16);
  CHECK(read("fp8") == MixedPrecision::kFp8);
  CHECK(read("BF16") == MixedPrecision::kBf16);  // Accelerate lowercases too
}

TEST_CASE("an unknown value names the variable and the accepted values", "[mixed_precision]") {
  CHECK_THROWS_WITH(
      accel::mixed_precision_from_environment(env_of({{"ACCELERATE_MIXED_PRECISION", "fp32"}})),
      Catch::StartsWith("ACCELERATE_MIXED_PRECISION='fp32' is not one of no, fp16, bf16, fp8"));
  CHECK_THROWS_AS(
      accel::mixed_precision_from_environment(env_of({{"ACCELERATE_MIXED_PRECISION", ""}})),
      std::invalid_argument);
  CHECK_THROWS_WITH(accel::parse_mixed_precision("half"),
                    "mixed precision 'half' is not one of no, fp16, bf16, fp8");
}

TEST_CASE("to_string spells each mode as Accelerate does, and parses back", "[mixed_precision]") {
  for (const auto precision :
       {MixedPrecision::kNo, MixedPrecision::kFp16, MixedPrecision::kBf16, MixedPrecision::kFp8}) {
    CHECK(accel::parse_mixed_precision(accel::to_string(precision)) == precision);
  }
  CHECK(accel::to_string(MixedPrecision::kBf16) == "bf16");
}

TEST_CASE("fp16 enables the gradient scaler; no, bf16 and fp8 do not", "[mixed_precision]") {
  const auto fp16 = accel::GradScalerOptions::defaults_for(MixedPrecision::kFp16);
  CHECK(fp16.enabled);
  CHECK(fp16.init_scale == 65536.0F);
  CHECK(fp16.growth_factor == 2.0);
  CHECK(fp16.backoff_factor == 0.5);
  CHECK(fp16.growth_interval == 2000);
  CHECK_FALSE(accel::GradScalerOptions::defaults_for(MixedPrecision::kNo).enabled);
  CHECK_FALSE(accel::GradScalerOptions::defaults_for(MixedPrecision::kBf16).enabled);
  CHECK_FALSE(accel::GradScalerOptions::defaults_for(MixedPrecision::kFp8).enabled);
}

TEST_CASE("a scaler from the environment of an fp16 job scales", "[mixed_precision]") {
  const auto precision =
      accel::mixed_precision_from_environment(env_of({{"ACCELERATE_MIXED_PRECISION", "fp16"}}));
  const accel::GradScaler scaler(accel::GradScalerOptions::defaults_for(precision));
  CHECK(scaler.scale() == 65536.0F);
  const accel::GradScaler bf16(accel::GradScalerOptions::defaults_for(MixedPrecision::kBf16));
  CHECK(bf16.scale() == 1.0F);
}
