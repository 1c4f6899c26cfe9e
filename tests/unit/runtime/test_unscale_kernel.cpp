#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/unscale_kernel.hpp"

TEST_CASE("an Inf or NaN is found at every position of every length up to 50", "[unscale_kernel]") {
  const float planted[] = {std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN()};
  for (std::size_t length = 0; length <= 50; ++length) {
    std::vector<float> clean(length, 4.0F);
    REQUIRE_FALSE(accel::detail::unscale_and_check(clean, 0.5F));
    REQUIRE(clean == std::vector<float>(length, 2.0F));
    for (std::size_t at = 0; at < length; ++at) {
      for (const float bad : planted) {
        for (const float inv_scale : {0.5F, 1.0F}) {
          std::vector<float> values(length, 4.0F);
          values[at] = bad;
          INFO("length " << length << ", at " << at << ", inv_scale " << inv_scale);
          REQUIRE(accel::detail::unscale_and_check(values, inv_scale));
        }
      }
    }
  }
}

TEST_CASE("the largest finite value is finite", "[unscale_kernel]") {
  std::vector<float> values(20, std::numeric_limits<float>::max());
  values.push_back(-std::numeric_limits<float>::max());
  CHECK_FALSE(accel::detail::unscale_and_check(values, 1.0F));
  CHECK_FALSE(accel::detail::unscale_and_check(values, 0.5F));
}
