#include "accel/grad_scaler.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "runtime/unscale_kernel.hpp"

namespace accel {

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

bool is_positive_finite(float value) {
  return std::isfinite(value) && value > 0.0F;
}

void validate(const GradScalerOptions& options) {
  require(is_positive_finite(options.init_scale),
          "GradScalerOptions::init_scale must be finite and positive, got " +
              std::to_string(options.init_scale));
  require(std::isfinite(options.growth_factor) && options.growth_factor > 1.0,
          "GradScalerOptions::growth_factor must be > 1 (the scale grows after clean steps), got " +
              std::to_string(options.growth_factor));
  require(options.backoff_factor > 0.0 && options.backoff_factor < 1.0,
          "GradScalerOptions::backoff_factor must be between 0 and 1 (the scale shrinks after an "
          "Inf/NaN), got " +
              std::to_string(options.backoff_factor));
  require(options.growth_interval >= 1,
          "GradScalerOptions::growth_interval must be at least 1, got " +
              std::to_string(options.growth_interval));
}

}  // namespace

GradScalerOptions GradScalerOptions::defaults_for(MixedPrecision precision) {
  GradScalerOptions options;
  options.enabled = precision == MixedPrecision::kFp16;
  return options;
}

GradScaler::GradScaler(GradScalerOptions options) : options_(options) {
  // torch checks the factors of enabled scalers only; a disabled scaler
  // never uses them.
  if (options_.enabled) validate(options_);
  state_.scale = options_.init_scale;
}

bool GradScaler::unscale(std::span<const std::span<float>> grads) {
  if (!options_.enabled) return false;
  if (stage_ == Stage::kStepped) {
    throw std::logic_error(
        "GradScaler::unscale after step(): unscale this iteration's gradients before step(), "
        "and call update() to start the next iteration");
  }
  // The reciprocal in fp64, rounded once to fp32, as torch computes it.
  const auto inv_scale = static_cast<float>(1.0 / static_cast<double>(state_.scale));
  bool found = false;
  for (const std::span<float> grad : grads) found |= detail::unscale_and_check(grad, inv_scale);
  found_inf_ |= found;
  stage_ = Stage::kUnscaled;
  return found;
}

bool GradScaler::unscale(std::span<float> grad) {
  const std::span<float> one[] = {grad};
  return unscale(std::span<const std::span<float>>(one));
}

bool GradScaler::begin_step() {
  if (!options_.enabled) return true;
  if (stage_ == Stage::kReady) {
    throw std::logic_error(
        "GradScaler::step without unscale(): call unscale(grads) on this iteration's gradients "
        "first, so they are unscaled and checked for Inf/NaN");
  }
  if (stage_ == Stage::kStepped) {
    throw std::logic_error(
        "GradScaler::step called twice in one iteration: call update() after each step()");
  }
  stage_ = Stage::kStepped;
  return !found_inf_;
}

void GradScaler::update() {
  if (!options_.enabled) return;
  if (stage_ == Stage::kReady) {
    throw std::logic_error(
        "GradScaler::update without unscale(): no Inf/NaN check was recorded this iteration; "
        "call unscale(grads) (and step) before update()");
  }
  if (found_inf_) {
    state_.scale = static_cast<float>(static_cast<double>(state_.scale) * options_.backoff_factor);
    state_.growth_tracker = 0;
  } else {
    const int successful = state_.growth_tracker + 1;
    if (successful == options_.growth_interval) {
      const auto grown =
          static_cast<float>(static_cast<double>(state_.scale) * options_.growth_factor);
      if (std::isfinite(grown)) state_.scale = grown;
      state_.growth_tracker = 0;
    } else {
      state_.growth_tracker = successful;
    }
  }
  stage_ = Stage::kReady;
  found_inf_ = false;
}

void GradScaler::update(float new_scale) {
  if (!options_.enabled) return;
  require(is_positive_finite(new_scale),
          "GradScaler::update: the new scale must be finite and positive, got " +
              std::to_string(new_scale));
  state_.scale = new_scale;
  stage_ = Stage::kReady;
  found_inf_ = false;
}

void GradScaler::load_state(State state) {
  if (!options_.enabled) return;  // as torch: a disabled scaler keeps no state
  require(is_positive_finite(state.scale),
          "GradScaler::load_state: the scale must be finite and positive, got " +
              std::to_string(state.scale));
  require(state.growth_tracker >= 0 && state.growth_tracker < options_.growth_interval,
          "GradScaler::load_state: the growth tracker must be in [0, " +
              std::to_string(options_.growth_interval) + "), got " +
              std::to_string(state.growth_tracker));
  state_ = state;
}

}  // namespace accel
