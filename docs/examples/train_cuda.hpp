// `train_mlp --device cuda`: the example's job on the GPUs, one per process
// (ACCEL_LOCAL_DEVICE, set by accel launch, else LOCAL_RANK: the GPU the
// Communicator's NCCL backend uses), with the CPU job's model, data,
// schedule and mixed precision (no or bf16, fp32 master weights): forward,
// backward and AdamW as CUDA kernels (mlp_model_cuda.hpp), the gradients
// averaged over the processes by the same accel::Communicator call as on
// the CPU, here on device buffers and so through NCCL. It prints the CPU
// job's lines and ends with the same bit-identical check.
//
// Built where the CUDA toolkit is (ACCEL_HAVE_CUDA); elsewhere
// train_on_cuda refuses with NoCudaDevice saying the build has no CUDA.
#pragma once

#include <stdexcept>

#include "train_options.hpp"

namespace train_mlp {

// There is no GPU for this process: none at all, no driver, fewer GPUs than
// local processes, or a build without CUDA. main() exits with 2.
class NoCudaDevice : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Trains as train_mlp.cpp's train() does, on this process's GPU; returns
// the process's exit code. Throws NoCudaDevice (above), std::invalid_argument
// for fp16 (loss scaling on the GPU is not part of this example), and what
// the Accelerator and the CUDA calls throw.
int train_on_cuda(const TrainOptions& options);

}  // namespace train_mlp
