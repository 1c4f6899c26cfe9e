#include "mlp_model.hpp"

#include <accel/reduced_float_buffers.hpp>
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace train_mlp {

namespace {

// out[r, o] = bias[o] + sum_i in[r, i] * weight[i, o]. The inner loop runs
// along a weight row, contiguous, so the compiler vectorises it without
// reordering any sum.
void linear_forward(const float* __restrict in, const float* __restrict weight,
                    const float* __restrict bias, float* __restrict out, std::size_t rows,
                    std::size_t inputs, std::size_t outputs) {
  for (std::size_t r = 0; r < rows; ++r) {
    float* out_row = out + r * outputs;
    std::copy(bias, bias + outputs, out_row);
    for (std::size_t i = 0; i < inputs; ++i) {
      const float x = in[r * inputs + i];
      if (x == 0.0F) continue;  // ReLU zeros: about half of every hidden row
      const float* weight_row = weight + i * outputs;
      for (std::size_t o = 0; o < outputs; ++o) out_row[o] += x * weight_row[o];
    }
  }
}

// weight_grad[i, o] += sum_r in[r, i] * delta[r, o]; bias_grad[o] += sum_r delta[r, o].
void linear_weight_gradients(const float* __restrict in, const float* __restrict delta,
                             float* __restrict weight_grad, float* __restrict bias_grad,
                             std::size_t rows, std::size_t inputs, std::size_t outputs) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* delta_row = delta + r * outputs;
    for (std::size_t o = 0; o < outputs; ++o) bias_grad[o] += delta_row[o];
    for (std::size_t i = 0; i < inputs; ++i) {
      const float x = in[r * inputs + i];
      if (x == 0.0F) continue;
      float* grad_row = weight_grad + i * outputs;
      for (std::size_t o = 0; o < outputs; ++o) grad_row[o] += x * delta_row[o];
    }
  }
}

// in_delta[r, i] = (sum_o delta[r, o] * weight[i, o]) where the ReLU let
// in[r, i] through, else 0.
void linear_input_gradients(const float* __restrict in, const float* __restrict delta,
                            const float* __restrict weight, float* __restrict in_delta,
                            std::size_t rows, std::size_t inputs, std::size_t outputs) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* delta_row = delta + r * outputs;
    for (std::size_t i = 0; i < inputs; ++i) {
      float sum = 0.0F;
      if (in[r * inputs + i] > 0.0F) {
        const float* weight_row = weight + i * outputs;
        for (std::size_t o = 0; o < outputs; ++o) sum += delta_row[o] * weight_row[o];
      }
      in_delta[r * inputs + i] = sum;
    }
  }
}

void relu(std::span<float> values) {
  for (float& value : values) value = std::max(value, 0.0F);
}

// Softmax cross-entropy of one row of logits, in fp32 (autocast keeps it
// there). Writes the row's probabilities into `probabilities`.
float cross_entropy(std::span<const float> logits, std::int32_t label,
                    std::span<float> probabilities) {
  const float largest = *std::max_element(logits.begin(), logits.end());
  float total = 0.0F;
  for (std::size_t c = 0; c < logits.size(); ++c) {
    probabilities[c] = std::exp(logits[c] - largest);
    total += probabilities[c];
  }
  for (float& p : probabilities) p /= total;
  return std::log(total) + largest - logits[static_cast<std::size_t>(label)];
}

bool predicted_right(std::span<const float> logits, std::int32_t label) {
  const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
  return best == label;
}

}  // namespace

Mlp::Mlp(std::vector<std::size_t> widths, accel::MixedPrecision precision, std::uint64_t seed)
    : precision_(precision) {
  if (widths.size() < 2) throw std::invalid_argument("an MLP needs inputs and outputs");
  if (precision == accel::MixedPrecision::kFp8) {
    throw std::invalid_argument("this example runs no, bf16 or fp16, not fp8");
  }
  std::size_t offset = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const Layer layer{widths[l], widths[l + 1], offset, offset + widths[l] * widths[l + 1]};
    offset = layer.bias_offset + layer.outputs;
    layers_.push_back(layer);
  }
  parameters_.resize(offset);
  std::mt19937_64 generator(seed);
  for (const Layer& layer : layers_) {
    const float bound = 1.0F / std::sqrt(static_cast<float>(layer.inputs));
    std::uniform_real_distribution<float> uniform(-bound, bound);
    for (std::size_t p = layer.weight_offset; p < layer.bias_offset + layer.outputs; ++p) {
      parameters_[p] = uniform(generator);
    }
  }
  activations_.resize(widths.size());
}

void Mlp::round_to_compute(std::span<float> values) {
  if (precision_ == accel::MixedPrecision::kNo) return;
  reduced_scratch_.resize(values.size());
  if (precision_ == accel::MixedPrecision::kBf16) {
    accel::convert_float_to_bf16(values, reduced_scratch_);
    accel::convert_bf16_to_float(reduced_scratch_, values);
  } else {
    accel::convert_float_to_fp16(values, reduced_scratch_);
    accel::convert_fp16_to_float(reduced_scratch_, values);
  }
}

std::span<const float> Mlp::forward(std::span<const float> features, std::size_t rows) {
  compute_parameters_.assign(parameters_.begin(), parameters_.end());
  round_to_compute(compute_parameters_);
  activations_[0].assign(features.begin(), features.end());
  round_to_compute(activations_[0]);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    std::vector<float>& out = activations_[l + 1];
    out.resize(rows * layer.outputs);
    linear_forward(activations_[l].data(), compute_parameters_.data() + layer.weight_offset,
                   compute_parameters_.data() + layer.bias_offset, out.data(), rows, layer.inputs,
                   layer.outputs);
    if (l + 1 < layers_.size()) {
      relu(out);
      round_to_compute(out);
    }
  }
  return activations_.back();
}

BatchStats Mlp::train_batch(std::span<const float> features, std::span<const std::int32_t> labels,
                            float gradient_factor, std::span<float> gradients) {
  const std::size_t rows = labels.size();
  const std::span<const float> logits = forward(features, rows);
  const std::size_t classes = layers_.back().outputs;

  // d(mean loss)/d(logits) = (softmax - one_hot) / rows, times the factor
  // (accumulation's 1/steps, the fp16 loss scale).
  BatchStats stats;
  delta_.resize(rows * classes);
  const float per_row = gradient_factor / static_cast<float>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto row_logits = logits.subspan(r * classes, classes);
    const std::span<float> row_delta(delta_.data() + r * classes, classes);
    stats.loss_sum += static_cast<double>(cross_entropy(row_logits, labels[r], row_delta));
    stats.correct += predicted_right(row_logits, labels[r]) ? 1 : 0;
    row_delta[static_cast<std::size_t>(labels[r])] -= 1.0F;
    for (float& value : row_delta) value *= per_row;
  }
  round_to_compute(delta_);

  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = layers_[l];
    linear_weight_gradients(
        activations_[l].data(), delta_.data(), gradients.data() + layer.weight_offset,
        gradients.data() + layer.bias_offset, rows, layer.inputs, layer.outputs);
    if (l == 0) break;  // no gradient w.r.t. the data
    previous_delta_.resize(rows * layer.inputs);
    linear_input_gradients(activations_[l].data(), delta_.data(),
                           compute_parameters_.data() + layer.weight_offset, previous_delta_.data(),
                           rows, layer.inputs, layer.outputs);
    round_to_compute(previous_delta_);
    delta_.swap(previous_delta_);
  }
  return stats;
}

BatchStats Mlp::evaluate(std::span<const float> features, std::span<const std::int32_t> labels) {
  const std::size_t rows = labels.size();
  const std::span<const float> logits = forward(features, rows);
  const std::size_t classes = layers_.back().outputs;
  BatchStats stats;
  std::vector<float> probabilities(classes);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto row_logits = logits.subspan(r * classes, classes);
    stats.loss_sum += static_cast<double>(cross_entropy(row_logits, labels[r], probabilities));
    stats.correct += predicted_right(row_logits, labels[r]) ? 1 : 0;
  }
  return stats;
}

}  // namespace train_mlp
