// The GPU path's training steps, written once over a `Launch`: a callable
// `launch(op, count)` that runs op(0) .. op(count - 1) of an mlp_math.hpp
// function object. mlp_model_cuda.cu passes one that queues a CUDA kernel
// on a stream (so a step is a sequence of kernels and never waits for the
// host); HostLaunch below runs a loop, so the tests run the same sequence
// of the same operations on the CPU and compare it with the CPU model.
//
// Every buffer lives in one block of memory (device memory on the GPU, a
// vector in the tests), laid out by MlpWorkspace::carve from an MlpLayout:
// the fp32 master parameters and their gradients (one flat buffer each, the
// CPU model's layout), the bf16-rounded compute copy, AdamW's moments, the
// activations of each layer and the deltas for at most `max_rows` rows, and
// the running loss and correct-row totals.
//
// Thread-safety: none; one MlpSteps per training loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "adamw.hpp"
#include "mlp_math.hpp"

namespace train_mlp {

struct LayerShape {
  std::size_t inputs, outputs;
  std::size_t weight_offset, bias_offset;  // into the parameter buffer
};

// The shapes of the layers for `widths` (inputs, hidden widths, classes) in
// mlp_model.hpp's parameter layout, and the most rows one call handles.
struct MlpLayout {
  MlpLayout(const std::vector<std::size_t>& widths, std::size_t max_rows);
  std::vector<LayerShape> layers;
  std::size_t parameter_count = 0;
  std::size_t max_rows = 0;
  std::size_t widest = 0;  // the largest width
};

// Pointers into one block of memory of bytes() bytes.
struct MlpWorkspace {
  static std::size_t bytes(const MlpLayout& layout);
  static MlpWorkspace carve(const MlpLayout& layout, void* block);

  float* parameters = nullptr;  // fp32 master weights
  float* compute_parameters = nullptr;
  float* gradients = nullptr;
  float* first_moment = nullptr;
  float* second_moment = nullptr;
  std::vector<float*> activations;  // [0] = the input rows, then each layer's output
  float* delta = nullptr;
  float* previous_delta = nullptr;
  std::int32_t* labels = nullptr;
  float* row_loss = nullptr;
  std::int32_t* row_correct = nullptr;
  double* loss_sum = nullptr;       // training loss since zero_totals
  std::int64_t* correct = nullptr;  // correct rows since zero_totals
};

// A data set resident in the workspace's memory space.
struct ResidentDataset {
  const float* values = nullptr;  // samples x features
  const std::int32_t* labels = nullptr;
  std::size_t features = 0;
};

struct HostLaunch {
  template <typename Op>
  void operator()(const Op& op, std::size_t count) const {
    for (std::size_t index = 0; index < count; ++index) op(index);
  }
};

template <typename Launch>
class MlpSteps {
 public:
  MlpSteps(const MlpLayout& layout, const MlpWorkspace& workspace, bool to_bf16,
           AdamWOptions adamw = {}, Launch launch = {})
      : layout_(layout), work_(workspace), to_bf16_(to_bf16), adamw_(adamw), launch_(launch) {}

  // Forward and backward over the samples sample_indices[0 .. rows) of
  // `data` (the indices in the workspace's memory space): adds
  // gradient_factor * d(mean loss)/d(parameters) to the gradients, and the
  // batch's loss and correct rows to the totals. Mlp::train_batch's math.
  void train_batch(const ResidentDataset& data, const std::uint64_t* sample_indices,
                   std::size_t rows, float gradient_factor) {
    forward(data, sample_indices, rows);
    const LayerShape& last = layout_.layers.back();
    launch_(SoftmaxCrossEntropy{work_.activations.back(), work_.labels, last.outputs,
                                gradient_factor / static_cast<float>(rows), to_bf16_, work_.delta,
                                work_.row_loss, work_.row_correct},
            rows);
    launch_(SumBatchStats{work_.row_loss, work_.row_correct, rows, work_.loss_sum, work_.correct},
            1);
    float* delta = work_.delta;
    float* previous_delta = work_.previous_delta;
    for (std::size_t l = layout_.layers.size(); l-- > 0;) {
      const LayerShape& layer = layout_.layers[l];
      launch_(
          LinearWeightGradients{work_.activations[l], delta, work_.gradients + layer.weight_offset,
                                work_.gradients + layer.bias_offset, rows, layer.inputs,
                                layer.outputs},
          (layer.inputs + 1) * layer.outputs);
      if (l == 0) break;  // no gradient w.r.t. the data
      launch_(LinearInputGradients{work_.activations[l], delta,
                                   work_.compute_parameters + layer.weight_offset, previous_delta,
                                   layer.inputs, layer.outputs, to_bf16_},
              rows * layer.inputs);
      std::swap(delta, previous_delta);
    }
  }

  // Forward only: adds the batch's loss and correct rows to the totals.
  void evaluate(const ResidentDataset& data, const std::uint64_t* sample_indices,
                std::size_t rows) {
    forward(data, sample_indices, rows);
    const LayerShape& last = layout_.layers.back();
    launch_(SoftmaxCrossEntropy{work_.activations.back(), work_.labels, last.outputs, 0.0F,
                                to_bf16_, nullptr, work_.row_loss, work_.row_correct},
            rows);
    launch_(SumBatchStats{work_.row_loss, work_.row_correct, rows, work_.loss_sum, work_.correct},
            1);
  }

  // AdamW's step `step` (1-based) at learning rate `lr` on the gradients.
  void optimizer_step(long step, float lr) {
    const AdamWScalars scalars = adamw_scalars(adamw_, step, lr);
    launch_(AdamWUpdate{work_.parameters, work_.first_moment, work_.second_moment, work_.gradients,
                        adamw_.beta1, adamw_.beta2, adamw_.epsilon, scalars.step_size,
                        scalars.decay, scalars.root_correction2},
            layout_.parameter_count);
  }

  void zero_gradients() { launch_(Fill{work_.gradients, 0.0F}, layout_.parameter_count); }

 private:
  // Fills the activations for `rows` samples (mlp_model.cpp's forward).
  void forward(const ResidentDataset& data, const std::uint64_t* sample_indices, std::size_t rows) {
    launch_(RoundCopy{work_.parameters, work_.compute_parameters, to_bf16_},
            layout_.parameter_count);
    launch_(GatherRows{data.values, data.labels, sample_indices, data.features, to_bf16_,
                       work_.activations[0], work_.labels},
            rows * data.features);
    for (std::size_t l = 0; l < layout_.layers.size(); ++l) {
      const LayerShape& layer = layout_.layers[l];
      launch_(LinearForward{work_.activations[l], work_.compute_parameters + layer.weight_offset,
                            work_.compute_parameters + layer.bias_offset, work_.activations[l + 1],
                            layer.inputs, layer.outputs, l + 1 < layout_.layers.size(), to_bf16_},
              rows * layer.outputs);
    }
  }

  const MlpLayout& layout_;
  MlpWorkspace work_;
  bool to_bf16_;
  AdamWOptions adamw_;
  Launch launch_;
};

}  // namespace train_mlp
