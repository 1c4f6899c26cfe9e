// The MLP of mlp_model.hpp on one GPU: every buffer (the fp32 master
// weights, their gradients, AdamW's moments, the activations, the whole
// training and held-out data) lives in device memory, and each step is a
// sequence of CUDA kernels (mlp_steps.hpp over mlp_math.hpp) queued on the
// legacy default stream -- the stream the Communicator's device
// collectives use when given none, so a gradient all_reduce between the
// backward and the optimizer step needs no synchronisation in between.
// Only set_train_order, take_training_loss, count_correct and
// download_parameters wait for the GPU (once per epoch or less).
//
// This header needs no CUDA headers; mlp_model_cuda.cu holds the CUDA code.
//
// Errors: NoCudaDevice (train_cuda.hpp) from use_local_gpu; std::runtime_error
// naming the failed CUDA call, CUDA's own words and what to do.
//
// Thread-safety: none; one CudaMlp per training loop, on the GPU that was
// current when it was made.
#pragma once

#include <accel/process_state.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mlp_steps.hpp"
#include "synthetic_data.hpp"

namespace train_mlp {

struct GpuInfo {
  int index = 0;     // within CUDA_VISIBLE_DEVICES
  std::string name;  // "NVIDIA H100 80GB HBM3"
  std::string rule;  // "LOCAL_RANK=1": where the index came from
};

// Makes this process's GPU current: ACCEL_LOCAL_DEVICE, else LOCAL_RANK
// (the Communicator's rule, so NCCL and the model share one GPU). Throws
// NoCudaDevice when there is no usable GPU or the index has none.
GpuInfo use_local_gpu(const accel::ProcessState& state);

class CudaMlp {
 public:
  // Uploads `initial_parameters` (the CPU model's, mlp_model.hpp's layout)
  // and both data sets; `layout.max_rows` bounds every batch and the
  // held-out shard.
  CudaMlp(const MlpLayout& layout, std::span<const float> initial_parameters, bool to_bf16,
          const Problem& problem);
  ~CudaMlp();
  CudaMlp(const CudaMlp&) = delete;
  CudaMlp& operator=(const CudaMlp&) = delete;

  // Device buffers of parameter_count() fp32 values, for the collectives.
  float* parameters();
  float* gradients();
  std::size_t parameter_count() const;

  // The order of the training samples for the coming epoch (uploaded;
  // waits for the previous epoch's kernels that read the old order).
  void set_train_order(std::span<const std::size_t> sample_indices);
  // Forward and backward over train-order entries [first, first + rows).
  void train_batch(std::size_t first, std::size_t rows, float gradient_factor);
  void optimizer_step(long step, float lr);
  void zero_gradients();
  // The training loss summed since the last call (waits for the GPU).
  double take_training_loss();
  // Correct predictions over the given held-out samples (waits).
  std::int64_t count_held_out_correct(std::span<const std::size_t> sample_indices);
  std::vector<float> download_parameters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace train_mlp
