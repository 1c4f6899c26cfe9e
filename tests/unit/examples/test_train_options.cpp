#include <catch2/catch.hpp>
#include <stdexcept>

#include "train_options.hpp"

using train_mlp::Device;
using train_mlp::parse_train_options;

TEST_CASE("train_mlp trains on the CPU unless --device cuda says otherwise", "[train_options]") {
  CHECK(parse_train_options({}).device == Device::kCpu);
  CHECK(parse_train_options({"--device", "cpu"}).device == Device::kCpu);
  CHECK(parse_train_options({"--device", "cuda"}).device == Device::kCuda);
  CHECK(parse_train_options({"--device=cuda", "--epochs", "2"}).device == Device::kCuda);
}

TEST_CASE("an unknown --device is refused, naming the choices", "[train_options]") {
  CHECK_THROWS_WITH(parse_train_options({"--device", "gpu"}), "--device 'gpu' is not cpu or cuda");
  CHECK_THROWS_AS(parse_train_options({"--device", "CUDA"}), std::invalid_argument);
}
