// The MLP's arithmetic for the GPU path, one element (or one row) per call,
// as function objects whose call operator is __host__ __device__: the CUDA
// kernels of mlp_model_cuda.cu run them one GPU thread per index, and
// mlp_steps.hpp's HostLaunch runs the very same code in a plain loop, which
// is how the tests on a machine without a GPU hold the GPU path's math to
// the CPU model (mlp_model.cpp).
//
// Each operation follows mlp_model.cpp / adamw.cpp step for step: the same
// sums in the same order (along `inputs`, `rows` or `outputs`), the same
// skipped ReLU zeros, the same roundings to bf16 of the weights, the
// activations and their gradients, so that with the multiply-adds left
// unfused (the .cu is compiled with --fmad=false) the only differences from
// the CPU model are the last bits of expf/logf in the softmax.
//
// Plain C++ outside nvcc (TRAIN_MLP_HD is then empty), so the host loop is
// built on every machine, CUDA toolkit or not.
//
// Thread-safety: the function objects hold pointers only; each call writes
// the outputs of its own index, so the indices may run in any order or at
// once.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define TRAIN_MLP_HD __host__ __device__
#else
#define TRAIN_MLP_HD
#endif

namespace train_mlp {

// fp32 rounded to the nearest bf16 (ties to even) and back, as accel's
// converters and torch.autocast round the inputs of a bf16 matrix multiply.
// NaN stays a (quiet) NaN. `to_bf16` false: the value unchanged (fp32 run).
TRAIN_MLP_HD inline float round_to_compute(float value, bool to_bf16) {
  if (!to_bf16) return value;
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7FFFFFFFU) > 0x7F800000U) {
    bits = (bits | 0x00400000U) & 0xFFFF0000U;
  } else {
    bits = (bits + 0x7FFFU + ((bits >> 16) & 1U)) & 0xFFFF0000U;
  }
  float rounded = 0.0F;
  std::memcpy(&rounded, &bits, sizeof rounded);
  return rounded;
}

TRAIN_MLP_HD inline float exp_of(float value) {
#ifdef __CUDA_ARCH__
  return expf(value);
#else
  return std::exp(value);
#endif
}

TRAIN_MLP_HD inline float log_of(float value) {
#ifdef __CUDA_ARCH__
  return logf(value);
#else
  return std::log(value);
#endif
}

TRAIN_MLP_HD inline float sqrt_of(float value) {
#ifdef __CUDA_ARCH__
  return sqrtf(value);
#else
  return std::sqrt(value);
#endif
}

// values[index] = value.
struct Fill {
  float* values;
  float value;
  TRAIN_MLP_HD void operator()(std::size_t index) const { values[index] = value; }
};

// The compute copy of the master weights: rounded[index] = round(master[index]).
struct RoundCopy {
  const float* master;
  float* rounded;
  bool to_bf16;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    rounded[index] = round_to_compute(master[index], to_bf16);
  }
};

// One batch from the data set resident in memory: row r is sample
// sample_indices[r], rounded to the compute format; its label goes with it.
// Index: r * features + f.
struct GatherRows {
  const float* dataset;                // samples x features
  const std::int32_t* dataset_labels;  // per sample
  const std::uint64_t* sample_indices;
  std::size_t features;
  bool to_bf16;
  float* rows;  // rows x features
  std::int32_t* labels;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    const std::size_t r = index / features;
    const std::size_t f = index % features;
    const std::uint64_t sample = sample_indices[r];
    rows[index] = round_to_compute(dataset[sample * features + f], to_bf16);
    if (f == 0) labels[r] = dataset_labels[sample];
  }
};

// out[r, o] = bias[o] + sum_i in[r, i] * weight[i, o], summed along i from
// bias[o] up, skipping the zeros of the ReLU before (mlp_model.cpp's
// linear_forward); for a hidden layer then ReLU and the rounding to the
// compute format. Index: r * outputs + o.
struct LinearForward {
  const float* in;
  const float* weight;  // inputs x outputs
  const float* bias;
  float* out;
  std::size_t inputs, outputs;
  bool hidden;  // ReLU and rounding after (every layer but the last)
  bool to_bf16;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    const std::size_t r = index / outputs;
    const std::size_t o = index % outputs;
    const float* in_row = in + r * inputs;
    float sum = bias[o];
    for (std::size_t i = 0; i < inputs; ++i) {
      const float x = in_row[i];
      if (x == 0.0F) continue;
      sum += x * weight[i * outputs + o];
    }
    // std::max(sum, 0.0F) as the CPU model's ReLU: -0 and NaN pass through.
    if (hidden) sum = round_to_compute(sum < 0.0F ? 0.0F : sum, to_bf16);
    out[index] = sum;
  }
};

// Softmax cross-entropy of one row of logits, in fp32 (mlp_model.cpp's
// cross_entropy and the delta of train_batch): the row's loss and whether
// its largest logit (the first of equals) is the label; with `delta`,
// d(loss)/d(logits) = (softmax - one_hot) * per_row, rounded. Index: r.
struct SoftmaxCrossEntropy {
  const float* logits;  // rows x classes
  const std::int32_t* labels;
  std::size_t classes;
  float per_row;  // gradient_factor / rows
  bool to_bf16;
  float* delta;  // rows x classes; nullptr: loss and accuracy only
  float* row_loss;
  std::int32_t* row_correct;
  TRAIN_MLP_HD void operator()(std::size_t r) const {
    const float* row = logits + r * classes;
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c) {
      if (row[c] > row[best]) best = c;
    }
    const float largest = row[best];
    float total = 0.0F;
    for (std::size_t c = 0; c < classes; ++c) total += exp_of(row[c] - largest);
    const auto label = static_cast<std::size_t>(labels[r]);
    row_loss[r] = log_of(total) + largest - row[label];
    row_correct[r] = best == label ? 1 : 0;
    if (delta == nullptr) return;
    float* delta_row = delta + r * classes;
    for (std::size_t c = 0; c < classes; ++c) {
      float probability = exp_of(row[c] - largest) / total;
      if (c == label) probability -= 1.0F;
      delta_row[c] = round_to_compute(probability * per_row, to_bf16);
    }
  }
};

// The batch's losses (in double, as BatchStats) and correct rows, added to
// the running totals. One index: a fixed order, so every run gives the same
// bits; the batch is a few dozen rows.
struct SumBatchStats {
  const float* row_loss;
  const std::int32_t* row_correct;
  std::size_t rows;
  double* loss_sum;
  std::int64_t* correct;
  TRAIN_MLP_HD void operator()(std::size_t /*index*/) const {
    double batch_loss = 0.0;
    std::int64_t batch_correct = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      batch_loss += static_cast<double>(row_loss[r]);
      batch_correct += row_correct[r];
    }
    *loss_sum += batch_loss;
    *correct += batch_correct;
  }
};

// weight_grad[i, o] += sum_r in[r, i] * delta[r, o], one row at a time onto
// the accumulated gradient (mlp_model.cpp's linear_weight_gradients); index
// inputs * outputs + o is bias_grad[o] += sum_r delta[r, o]. Index: i *
// outputs + o, for i in 0..inputs (inclusive: the bias row).
struct LinearWeightGradients {
  const float* in;
  const float* delta;
  float* weight_grad;
  float* bias_grad;
  std::size_t rows, inputs, outputs;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    const std::size_t i = index / outputs;
    const std::size_t o = index % outputs;
    if (i == inputs) {
      float sum = bias_grad[o];
      for (std::size_t r = 0; r < rows; ++r) sum += delta[r * outputs + o];
      bias_grad[o] = sum;
      return;
    }
    float sum = weight_grad[index];
    for (std::size_t r = 0; r < rows; ++r) {
      const float x = in[r * inputs + i];
      if (x == 0.0F) continue;
      sum += x * delta[r * outputs + o];
    }
    weight_grad[index] = sum;
  }
};

// in_delta[r, i] = sum_o delta[r, o] * weight[i, o] where the ReLU let
// in[r, i] through, else 0; rounded (linear_input_gradients, then the
// rounding of train_batch). Index: r * inputs + i.
struct LinearInputGradients {
  const float* in;
  const float* delta;
  const float* weight;
  float* in_delta;
  std::size_t inputs, outputs;
  bool to_bf16;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    const std::size_t r = index / inputs;
    const std::size_t i = index % inputs;
    float sum = 0.0F;
    if (in[index] > 0.0F) {
      const float* delta_row = delta + r * outputs;
      const float* weight_row = weight + i * outputs;
      for (std::size_t o = 0; o < outputs; ++o) sum += delta_row[o] * weight_row[o];
    }
    in_delta[index] = round_to_compute(sum, to_bf16);
  }
};

// One parameter's AdamW update, adamw.cpp's loop body; the per-step scalars
// come from adamw_scalars (adamw.hpp), computed once on the host.
struct AdamWUpdate {
  float* parameters;
  float* first_moment;
  float* second_moment;
  const float* gradients;
  float beta1, beta2, epsilon;
  float step_size, decay, root_correction2;
  TRAIN_MLP_HD void operator()(std::size_t index) const {
    const float g = gradients[index];
    const float m = beta1 * first_moment[index] + (1.0F - beta1) * g;
    const float v = beta2 * second_moment[index] + (1.0F - beta2) * g * g;
    first_moment[index] = m;
    second_moment[index] = v;
    const float denominator = sqrt_of(v) / root_correction2 + epsilon;
    parameters[index] = parameters[index] * decay - step_size * m / denominator;
  }
};

}  // namespace train_mlp
