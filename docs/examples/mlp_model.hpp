// A multi-layer perceptron in plain C++: Linear -> ReLU -> ... -> Linear,
// softmax cross-entropy loss, forward and backward by hand. Small enough to
// read in one sitting; the point of the example is the training loop around
// it, not the model.
//
// All parameters live in one flat fp32 buffer (the master weights) and all
// gradients in another of the same layout, so the optimizer, the gradient
// all-reduce and the final comparison each take a single span.
//
// Mixed precision, as torch.autocast does it: in bf16 or fp16 mode the
// weights, the inputs and the activations are rounded to the reduced format
// (accel's converters, round to nearest even) and the multiply-adds
// accumulate in fp32, as a bf16 or fp16 matrix multiply does; the softmax and
// the loss stay in fp32; the gradients of the activations are rounded too.
// The weight gradients and the master weights stay fp32.
//
// Thread-safety: none; one model per training loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <accel/mixed_precision.hpp>

namespace train_mlp {

struct BatchStats {
  double loss_sum = 0.0;  // summed over the batch's samples
  std::int64_t correct = 0;
};

class Mlp {
 public:
  // widths: input features, the hidden layers' widths, the classes. The
  // weights are drawn as torch.nn.Linear's (uniform in +-1/sqrt(inputs))
  // from `seed`, so every process starts from the same parameters.
  Mlp(std::vector<std::size_t> widths, accel::MixedPrecision precision, std::uint64_t seed);

  std::span<float> parameters() { return parameters_; }
  std::span<const float> parameters() const { return parameters_; }

  // Forward and backward over one batch (`features` holds labels.size()
  // rows). Adds gradient_factor * d(mean loss over the batch)/d(parameter)
  // into `gradients` (same layout as parameters()).
  BatchStats train_batch(std::span<const float> features, std::span<const std::int32_t> labels,
                         float gradient_factor, std::span<float> gradients);
  // Forward only.
  BatchStats evaluate(std::span<const float> features, std::span<const std::int32_t> labels);

 private:
  struct Layer {
    std::size_t inputs, outputs;
    std::size_t weight_offset, bias_offset;  // into the parameter buffer
  };

  // Fills activations_ for `rows` samples; returns the logits.
  std::span<const float> forward(std::span<const float> features, std::size_t rows);
  void round_to_compute(std::span<float> values);

  std::vector<Layer> layers_;
  accel::MixedPrecision precision_;
  std::vector<float> parameters_;
  std::vector<float> compute_parameters_;        // rounded copy the arithmetic uses
  std::vector<std::vector<float>> activations_;  // [0] = input, then each layer's output
  std::vector<float> delta_, previous_delta_;    // gradients of the loss w.r.t. activations
  std::vector<std::uint16_t> reduced_scratch_;
};

}  // namespace train_mlp
