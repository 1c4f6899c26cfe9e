// The host half of the multi-tensor kernels: how tensors become chunks and
// how many blocks work on them. Runs everywhere (no GPU, no toolkit). The
// chunks are also run through the CPU's unscale loop on host buffers, the
// scalar model of what each GPU block does with its chunk.
#include "runtime/cuda_chunk_table.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "runtime/unscale_kernel.hpp"

namespace {

using accel::cuda::DeviceTensor;
using accel::cuda::detail::build_chunk_table;
using accel::cuda::detail::ChunkTable;
using accel::cuda::detail::multi_tensor_grid;

}  // namespace

TEST_CASE("chunk table: every value of every tensor in exactly one chunk, in order",
          "[cuda_chunk_table]") {
  constexpr std::size_t kChunk = 8;
  const std::vector<std::size_t> sizes = {0, 1, 7, 8, 9, 0, 16, 17, 3, 0};
  std::vector<std::vector<float>> buffers;
  std::vector<DeviceTensor> tensors;
  for (const std::size_t size : sizes) buffers.emplace_back(size);
  for (auto& buffer : buffers) tensors.push_back({buffer.data(), buffer.size()});
  tensors[0].data = nullptr;  // empty tensors may have no memory at all

  const ChunkTable table = build_chunk_table(tensors, kChunk);
  CHECK(table.tensor_count == sizes.size());
  CHECK(table.element_count == std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}));
  // 0 + 1 + 1 + 1 + 2 + 0 + 2 + 3 + 1 + 0
  REQUIRE(table.chunks.size() == 11);

  std::vector<std::vector<int>> covered;
  for (const std::size_t size : sizes) covered.emplace_back(size, 0);
  std::uint32_t last_tensor = 0;
  for (const auto& chunk : table.chunks) {
    REQUIRE(chunk.tensor < sizes.size());
    CHECK(chunk.tensor >= last_tensor);  // tensor order
    last_tensor = chunk.tensor;
    CHECK(chunk.count >= 1);
    CHECK(chunk.count <= kChunk);
    auto& buffer = buffers[chunk.tensor];
    const auto offset = static_cast<std::size_t>(chunk.data - buffer.data());
    CHECK(offset % kChunk == 0);  // chunks keep their tensor's alignment
    REQUIRE(offset + chunk.count <= buffer.size());
    for (std::size_t i = 0; i < chunk.count; ++i) ++covered[chunk.tensor][offset + i];
  }
  for (std::size_t t = 0; t < covered.size(); ++t) {
    for (std::size_t i = 0; i < covered[t].size(); ++i) {
      INFO("tensor " << t << " value " << i);
      CHECK(covered[t][i] == 1);
    }
  }
}

TEST_CASE("chunk table: the real chunk size, and a list with nothing in it", "[cuda_chunk_table]") {
  constexpr std::size_t kChunk = accel::cuda::CudaTensorList::kChunkElements;
  std::vector<float> fake(1);  // only addresses are taken, never dereferenced
  const std::vector<DeviceTensor> tensors = {{fake.data(), kChunk - 1},
                                             {fake.data(), kChunk},
                                             {fake.data(), kChunk + 1},
                                             {fake.data(), 5 * kChunk + 13}};
  const ChunkTable table = build_chunk_table(tensors, kChunk);
  CHECK(table.chunks.size() == 1 + 1 + 2 + 6);
  CHECK(table.chunks.back().count == 13);
  CHECK(table.chunks[3].count == 1);

  CHECK(build_chunk_table({}, kChunk).chunks.empty());
  const std::vector<DeviceTensor> empties(100);
  const ChunkTable nothing = build_chunk_table(empties, kChunk);
  CHECK(nothing.chunks.empty());
  CHECK(nothing.tensor_count == 100);
  CHECK(nothing.element_count == 0);
}

TEST_CASE("chunk table: a null pointer with values is refused, naming the tensor",
          "[cuda_chunk_table]") {
  std::vector<float> buffer(4);
  const std::vector<DeviceTensor> tensors = {{buffer.data(), 4}, {nullptr, 0}, {nullptr, 3}};
  CHECK_THROWS_AS(build_chunk_table(tensors, 8), std::invalid_argument);
  CHECK_THROWS_WITH(build_chunk_table(tensors, 8),
                    Catch::Contains("tensor 2") && Catch::Contains("null data pointer"));
  CHECK_THROWS_WITH(build_chunk_table(tensors, 0), Catch::Contains("chunk size"));
}

TEST_CASE("multi-tensor grid: one block per chunk up to the limit, never zero",
          "[cuda_chunk_table]") {
  CHECK(multi_tensor_grid(0, 1056) == 1);
  CHECK(multi_tensor_grid(1, 1056) == 1);
  CHECK(multi_tensor_grid(500, 1056) == 500);
  CHECK(multi_tensor_grid(5000, 1056) == 1056);
  CHECK(multi_tensor_grid(5000, 0) == 1);
}

TEST_CASE("chunk by chunk, the CPU unscale loop gives what it gives tensor by tensor",
          "[cuda_chunk_table]") {
  // The GPU kernel's decomposition, modelled on the host: found_inf is the
  // OR over chunks, and every value is scaled once.
  std::mt19937 random(1);
  std::normal_distribution<float> normal(0.0F, 10.0F);
  const std::vector<std::size_t> sizes = {0, 5, 100, 1, 37, 64};
  std::vector<std::vector<float>> by_chunk;
  for (const std::size_t size : sizes) {
    std::vector<float> values(size);
    for (float& value : values) value = normal(random);
    by_chunk.push_back(std::move(values));
  }
  by_chunk[4][36] = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> by_tensor = by_chunk;
  std::vector<DeviceTensor> tensors;
  for (auto& values : by_chunk) tensors.push_back({values.data(), values.size()});

  constexpr float kInvScale = 0.125F;
  bool found_by_chunk = false;
  for (const auto& chunk : build_chunk_table(tensors, 16).chunks) {
    found_by_chunk |= accel::detail::unscale_and_check({chunk.data, chunk.count}, kInvScale);
  }
  bool found_by_tensor = false;
  for (auto& values : by_tensor)
    found_by_tensor |= accel::detail::unscale_and_check(values, kInvScale);
  CHECK(found_by_chunk);
  CHECK(found_by_tensor);
  CHECK(by_chunk == by_tensor);
}
