#include "adamw.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace train_mlp {

AdamWScalars adamw_scalars(const AdamWOptions& options, long step, float lr) {
  const auto t = static_cast<double>(step);
  const auto bias_correction1 = static_cast<float>(1.0 - std::pow(options.beta1, t));
  const auto bias_correction2 = static_cast<float>(1.0 - std::pow(options.beta2, t));
  return {lr / bias_correction1, 1.0F - lr * options.weight_decay, std::sqrt(bias_correction2)};
}

AdamW::AdamW(std::size_t parameter_count, AdamWOptions options)
    : options_(options), first_moment_(parameter_count), second_moment_(parameter_count) {}

void AdamW::step(std::span<float> parameters, std::span<const float> gradients, float lr) {
  ++steps_;
  const auto [step_size, decay, root_correction2] = adamw_scalars(options_, steps_, lr);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const float g = gradients[i];
    first_moment_[i] = options_.beta1 * first_moment_[i] + (1.0F - options_.beta1) * g;
    second_moment_[i] = options_.beta2 * second_moment_[i] + (1.0F - options_.beta2) * g * g;
    const float denominator = std::sqrt(second_moment_[i]) / root_correction2 + options_.epsilon;
    parameters[i] = parameters[i] * decay - step_size * first_moment_[i] / denominator;
  }
}

float cosine_learning_rate(long step, long total_steps, long warmup_steps, float peak) {
  if (step < warmup_steps) {
    return peak * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  }
  const double progress = static_cast<double>(step - warmup_steps) /
                          static_cast<double>(std::max(1L, total_steps - warmup_steps));
  return static_cast<float>(0.5 * static_cast<double>(peak) *
                            (1.0 + std::cos(std::numbers::pi * std::min(progress, 1.0))));
}

}  // namespace train_mlp
