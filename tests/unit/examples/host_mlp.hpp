// The GPU path's model with its workspace in host memory, run by host loops
// (mlp_steps.hpp's HostLaunch): what the tests compare with the CPU model
// and with the real kernels.
#pragma once

#include <algorithm>
#include <span>
#include <utility>
#include <vector>

#include "mlp_steps.hpp"

namespace train_mlp::testing {

struct HostMlp {
  HostMlp(const MlpLayout& layout, std::span<const float> parameters, bool bf16)
      : block(MlpWorkspace::bytes(layout) / sizeof(double) + 1),  // doubles: 8-byte aligned
        work(MlpWorkspace::carve(layout, block.data())),
        steps(layout, work, bf16) {
    std::copy(parameters.begin(), parameters.end(), work.parameters);
    std::fill_n(work.first_moment, layout.parameter_count, 0.0F);
    std::fill_n(work.second_moment, layout.parameter_count, 0.0F);
    std::fill_n(work.gradients, layout.parameter_count, 0.0F);
    *work.loss_sum = 0.0;
    *work.correct = 0;
  }
  double take_loss() { return std::exchange(*work.loss_sum, 0.0); }

  std::vector<double> block;
  MlpWorkspace work;
  MlpSteps<HostLaunch> steps;
};

}  // namespace train_mlp::testing
