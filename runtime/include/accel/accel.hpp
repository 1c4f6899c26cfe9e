// Everything a native worker uses, in one include: `#include <accel/accel.hpp>`
// and link `accel::runtime`. docs/runtime.md is the guide; each header below
// holds its own contract, errors and thread-safety.
#pragma once

#include "accel/accelerator.hpp"            // Accelerator: the facade a training loop holds
#include "accel/collectives.hpp"            // Communicator, DataType, ReduceOp, CollectiveError
#include "accel/cuda_grad_scaler.hpp"       // CudaGradScaler: loss scaling state on the GPU
#include "accel/cuda_multi_tensor.hpp"      // CudaTensorList: fused unscale, global L2 norm
#include "accel/cuda_reduced_float.hpp"     // fp32 <-> bf16 / fp16 on device buffers
#include "accel/distributed_state.hpp"      // DistributedState, MainProcessFirst, SyncError
#include "accel/environment_lookup.hpp"     // EnvLookup: how the runtime reads the environment
#include "accel/grad_scaler.hpp"            // GradScaler (fp16 loss scaling)
#include "accel/gradient_accumulation.hpp"  // GradientAccumulator, AccumulationStep
#include "accel/mixed_precision.hpp"        // MixedPrecision from ACCELERATE_MIXED_PRECISION
#include "accel/process_state.hpp"          // ProcessState: the launcher's variables
#include "accel/reduced_float.hpp"          // fp32 <-> bf16 / fp16, one value
#include "accel/reduced_float_buffers.hpp"  // fp32 <-> bf16 / fp16, whole buffers
