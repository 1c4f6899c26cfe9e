// The example's command line. Every flag has a default, so
// `accel launch --cpu --num_processes 4 train_mlp` runs the tutorial job.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <accel/mixed_precision.hpp>

namespace train_mlp {

// Where the model trains: the CPU (mlp_model.hpp), or this process's GPU
// (train_cuda.hpp; needs a build with the CUDA toolkit and a GPU).
enum class Device { kCpu, kCuda };

struct TrainOptions {
  Device device = Device::kCpu;
  int epochs = 10;
  int batch_size = 32;  // per process and micro-step
  float learning_rate = 3e-3F;
  std::uint64_t seed = 42;
  // nullopt: what the launcher says (ACCELERATE_MIXED_PRECISION,
  // ACCELERATE_GRADIENT_ACCUMULATION_STEPS).
  std::optional<accel::MixedPrecision> mixed_precision;
  std::optional<int> gradient_accumulation_steps;
  // For tests: flip one bit of this rank's parameters before the final
  // check, which must then fail.
  std::optional<int> corrupt_rank;
};

// Parses `--name value` and `--name=value`. Throws std::invalid_argument
// naming the flag and what it accepts.
TrainOptions parse_train_options(const std::vector<std::string>& args);

inline constexpr const char* kTrainUsage =
    "usage: train_mlp [--epochs N] [--batch_size N] [--learning_rate LR] [--seed N]\n"
    "                 [--mixed_precision no|bf16|fp16] [--gradient_accumulation_steps N]\n"
    "                 [--device cpu|cuda] [--corrupt_rank R]\n";

}  // namespace train_mlp
