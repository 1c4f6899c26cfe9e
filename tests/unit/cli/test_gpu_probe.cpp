#include <catch2/catch.hpp>

#include "cli/gpu_probe.hpp"

using accel::cli::count_visible_gpus;

TEST_CASE("CUDA_VISIBLE_DEVICES unset exposes every GPU", "[gpu_probe]") {
  CHECK(count_visible_gpus(4, std::nullopt) == 4);
  CHECK(count_visible_gpus(0, std::nullopt) == 0);
}

TEST_CASE("CUDA_VISIBLE_DEVICES lists are counted as CUDA counts them", "[gpu_probe]") {
  CHECK(count_visible_gpus(4, std::string("0,1")) == 2);
  CHECK(count_visible_gpus(4, std::string("3")) == 1);
  CHECK(count_visible_gpus(4, std::string("")) == 0);
  CHECK(count_visible_gpus(4, std::string("-1")) == 0);
  // CUDA stops at the first invalid entry.
  CHECK(count_visible_gpus(4, std::string("0,7,1")) == 1);
  CHECK(count_visible_gpus(4, std::string("0,0")) == 1);
  CHECK(count_visible_gpus(2, std::string("GPU-abc,GPU-def")) == 2);
  CHECK(count_visible_gpus(0, std::string("0")) == 0);
}

TEST_CASE("probing a machine without NVML reports no GPU and says why", "[gpu_probe]") {
  const auto facts = accel::cli::probe_gpus(std::nullopt);
  if (facts.physical_count == 0) {
    CHECK_FALSE(facts.note.empty());
    CHECK(facts.visible_count == 0);
  }
}
