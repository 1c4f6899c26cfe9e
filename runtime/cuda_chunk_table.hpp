// The host half of the multi-tensor kernels (accel/cuda_multi_tensor.hpp):
// cutting a list of tensors into the chunks the GPU's blocks work on, and
// the grid those blocks form. Plain C++ with no CUDA dependency, so it is
// unit-tested on machines without a GPU or toolkit.
//
// Internal to libaccel. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "accel/cuda_multi_tensor.hpp"

namespace accel::cuda::detail {

// One unit of work: `count` values starting at `data`, part of tensor
// `tensor`. 16 bytes, copied to the device as is. Chunks of a tensor start
// at multiples of the chunk size from its start, so a chunk is 16-byte
// aligned exactly when its tensor is.
struct TensorChunk {
  float* data;
  std::uint32_t count;
  std::uint32_t tensor;
};
static_assert(sizeof(TensorChunk) == 16, "the device reads the table as 16-byte records");

struct ChunkTable {
  std::vector<TensorChunk> chunks;  // tensor order, then offset order
  std::size_t tensor_count = 0;
  std::size_t element_count = 0;
};

// Every non-empty tensor, cut into chunks of `chunk_elements` values (the
// last one of a tensor shorter). Throws std::invalid_argument naming the
// tensor's index for a null pointer with a non-zero count, for more than
// 2^32 - 1 tensors, or when chunk_elements is 0 or above 2^32 - 1.
ChunkTable build_chunk_table(std::span<const DeviceTensor> tensors, std::size_t chunk_elements);

// The blocks a multi-tensor kernel launches: one per chunk, at most
// `max_blocks` (the blocks then loop over the chunks with a stride of the
// grid), at least 1. Fixed per table, which is what makes the L2 norm's
// split, hence its result, the same on every run.
unsigned multi_tensor_grid(std::size_t chunk_count, std::size_t max_blocks);

}  // namespace accel::cuda::detail
