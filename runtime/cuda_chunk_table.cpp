#include "runtime/cuda_chunk_table.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace accel::cuda::detail {

ChunkTable build_chunk_table(std::span<const DeviceTensor> tensors, std::size_t chunk_elements) {
  constexpr std::size_t kMax32 = std::numeric_limits<std::uint32_t>::max();
  if (chunk_elements == 0 || chunk_elements > kMax32) {
    throw std::invalid_argument("build_chunk_table: the chunk size must be in [1, 2^32 - 1], got " +
                                std::to_string(chunk_elements));
  }
  if (tensors.size() > kMax32) {
    throw std::invalid_argument("CudaTensorList: at most 2^32 - 1 tensors, got " +
                                std::to_string(tensors.size()));
  }
  ChunkTable table;
  table.tensor_count = tensors.size();
  std::size_t chunk_count = 0;
  for (std::size_t index = 0; index < tensors.size(); ++index) {
    const DeviceTensor& tensor = tensors[index];
    if (tensor.count != 0 && tensor.data == nullptr) {
      throw std::invalid_argument("CudaTensorList: tensor " + std::to_string(index) + " has " +
                                  std::to_string(tensor.count) +
                                  " values but a null data pointer; pass its device memory");
    }
    chunk_count += (tensor.count + chunk_elements - 1) / chunk_elements;
  }
  table.chunks.reserve(chunk_count);
  for (std::size_t index = 0; index < tensors.size(); ++index) {
    const DeviceTensor& tensor = tensors[index];
    for (std::size_t offset = 0; offset < tensor.count; offset += chunk_elements) {
      const std::size_t count = std::min(chunk_elements, tensor.count - offset);
      table.chunks.push_back(TensorChunk{tensor.data + offset, static_cast<std::uint32_t>(count),
                                         static_cast<std::uint32_t>(index)});
    }
    table.element_count += tensor.count;
  }
  return table;
}

unsigned multi_tensor_grid(std::size_t chunk_count, std::size_t max_blocks) {
  const std::size_t blocks = std::min(chunk_count, std::max<std::size_t>(max_blocks, 1));
  return static_cast<unsigned>(std::max<std::size_t>(blocks, 1));
}

}  // namespace accel::cuda::detail
