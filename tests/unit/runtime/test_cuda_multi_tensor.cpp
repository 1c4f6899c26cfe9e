// The fused multi-tensor kernels (accel/cuda_multi_tensor.hpp) against the
// CPU: unscale + non-finite check against the CPU GradScaler's inner loop,
// tensor by tensor, over many tensors of mixed sizes (empty ones, ones of
// exactly a chunk, misaligned ones, thousands of tiny ones); the global L2
// norm against an fp64 sum. They skip without a CUDA device.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "accel/cuda_multi_tensor.hpp"
#include "cuda_test_support.hpp"
#include "runtime/unscale_kernel.hpp"

namespace {

using accel::cuda::CudaTensorList;
using accel::cuda::DeviceTensor;
using accel::testing::DeviceArray;

constexpr std::size_t kChunk = CudaTensorList::kChunkElements;

// Tensors of the given sizes (the first element offset by `misaligned[i]`
// floats), random values, on the device and mirrored on the host.
struct TensorSet {
  std::vector<std::unique_ptr<DeviceArray<float>>> device;
  std::vector<std::vector<float>> host;

  TensorSet(const std::vector<std::size_t>& sizes, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0F, 1000.0F);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      const std::size_t offset = i % 5 == 3 ? 1 : 0;  // every fifth tensor misaligned
      device.push_back(std::make_unique<DeviceArray<float>>(sizes[i], offset));
      std::vector<float> values(sizes[i]);
      for (float& value : values) value = normal(random);
      host.push_back(std::move(values));
    }
  }
  void upload() {
    for (std::size_t i = 0; i < host.size(); ++i) device[i]->upload(host[i], 7.0F);
  }
  std::vector<DeviceTensor> tensors() const {
    std::vector<DeviceTensor> list;
    for (const auto& array : device) list.push_back({array->data(), array->size()});
    return list;
  }
  void plant(std::size_t tensor, std::size_t index, float value) { host[tensor][index] = value; }
};

bool same_value(float got, float want) {
  // NaN times anything is a NaN on both sides; only its payload may differ
  // (x86 keeps it, the GPU gives the canonical NaN), which unscale does not
  // promise to keep.
  if (std::isnan(got) && std::isnan(want)) return true;
  return std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want);
}

// Runs the fused kernel over `set` and checks every tensor (and its guard
// values) against the CPU loop; returns the CPU's found_inf.
bool check_unscale(TensorSet& set, float inv_scale) {
  set.upload();
  const CudaTensorList list(set.tensors());
  DeviceArray<float> scalars(2);  // inv_scale, found_inf
  scalars.upload({inv_scale, 0.0F});
  accel::cuda::unscale_and_check(list, scalars.data(), scalars.data() + 1);
  bool found = false;
  for (std::size_t t = 0; t < set.host.size(); ++t) {
    std::vector<float> want = set.host[t];
    found |= accel::detail::unscale_and_check(want, inv_scale);
    const std::vector<float> got = set.device[t]->download_with_guard();
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < want.size(); ++i) mismatches += !same_value(got[i], want[i]);
    std::size_t guard_changes = 0;
    for (std::size_t i = want.size(); i < got.size(); ++i) guard_changes += got[i] != 7.0F;
    INFO("tensor " << t << " of " << want.size() << " values");
    CHECK(mismatches == 0);
    CHECK(guard_changes == 0);
  }
  const std::vector<float> flags = scalars.download();
  CHECK(flags[0] == inv_scale);
  CHECK(flags[1] == (found ? 1.0F : 0.0F));
  return found;
}

const std::vector<std::size_t> kMixedSizes = {0,
                                              1,
                                              3,
                                              7,
                                              0,
                                              4,
                                              5,
                                              kChunk - 1,
                                              kChunk,
                                              kChunk + 1,
                                              0,
                                              1000,
                                              2 * kChunk + 13,
                                              9,
                                              (1U << 20) + 13,
                                              64,
                                              65,
                                              0,
                                              3 * kChunk,
                                              17};

}  // namespace

TEST_CASE(
    "GPU unscale + check matches the CPU over tensors of mixed sizes, empty and "
    "misaligned ones included",
    "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  TensorSet set(kMixedSizes, 1);
  // 2^-16 (exact), 1/3 (rounded: every product rounds), 1 (check only).
  CHECK_FALSE(check_unscale(set, 0x1p-16F));
  CHECK_FALSE(check_unscale(set, static_cast<float>(1.0 / 3.0)));
  CHECK_FALSE(check_unscale(set, 1.0F));
}

TEST_CASE("GPU unscale + check finds an Inf or NaN anywhere, and still unscales the rest",
          "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  const float non_finite[] = {std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN(),
                              std::bit_cast<float>(0x7F800001U)};  // signalling NaN
  // Places: a tiny tensor, the last value of a big one, a chunk boundary,
  // a misaligned tensor's tail (tensor 3 is misaligned, 7 values).
  const std::pair<std::size_t, std::size_t> places[] = {
      {1, 0}, {14, (1U << 20) + 12}, {12, kChunk}, {3, 6}, {19, 16}};
  std::uint32_t seed = 100;
  for (const float bad : non_finite) {
    for (const auto& [tensor, index] : places) {
      TensorSet set(kMixedSizes, ++seed);
      set.plant(tensor, index, bad);
      INFO("planted " << bad << " at tensor " << tensor << " index " << index);
      CHECK(check_unscale(set, 0.25F));
      CHECK(check_unscale(set, 1.0F));
    }
  }
}

TEST_CASE("GPU unscale + check over thousands of tiny tensors in one launch",
          "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  std::vector<std::size_t> sizes(5000);
  std::mt19937 random(5);
  for (std::size_t& size : sizes) size = random() % 40;  // empty ones included
  TensorSet set(sizes, 6);
  CHECK_FALSE(check_unscale(set, 0.5F));
  // A NaN in the last non-empty tensor: the last chunk of the table.
  for (std::size_t t = sizes.size(); t-- > 0;) {
    if (sizes[t] != 0) {
      set.plant(t, sizes[t] - 1, std::numeric_limits<float>::quiet_NaN());
      break;
    }
  }
  CHECK(check_unscale(set, 0.5F));
}

TEST_CASE("GPU found_inf accumulates over calls and is never cleared by a clean one",
          "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  TensorSet clean({100, 1000}, 7);
  TensorSet dirty({100, 1000}, 8);
  dirty.plant(1, 999, std::numeric_limits<float>::infinity());
  clean.upload();
  dirty.upload();
  const CudaTensorList clean_list(clean.tensors());
  const CudaTensorList dirty_list(dirty.tensors());
  DeviceArray<float> scalars(2);
  scalars.upload({1.0F, 0.0F});
  accel::cuda::unscale_and_check(clean_list, scalars.data(), scalars.data() + 1);
  CHECK(scalars.download()[1] == 0.0F);
  accel::cuda::unscale_and_check(dirty_list, scalars.data(), scalars.data() + 1);
  CHECK(scalars.download()[1] == 1.0F);
  accel::cuda::unscale_and_check(clean_list, scalars.data(), scalars.data() + 1);
  CHECK(scalars.download()[1] == 1.0F);
}

TEST_CASE("CudaTensorList counts tensors, values and chunks, and an empty list does nothing",
          "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  TensorSet set(kMixedSizes, 9);
  const CudaTensorList list(set.tensors());
  std::size_t values = 0;
  std::size_t chunks = 0;
  for (const std::size_t size : kMixedSizes) {
    values += size;
    chunks += (size + kChunk - 1) / kChunk;
  }
  CHECK(list.tensor_count() == kMixedSizes.size());
  CHECK(list.element_count() == values);
  CHECK(list.chunk_count() == chunks);

  const CudaTensorList empty(std::vector<DeviceTensor>{});
  DeviceArray<float> scalars(3);
  scalars.upload({0.5F, 0.0F, 42.0F});
  accel::cuda::unscale_and_check(empty, scalars.data(), scalars.data() + 1);
  accel::cuda::global_l2_norm(empty, scalars.data() + 2);
  const std::vector<float> after = scalars.download();
  CHECK(after[1] == 0.0F);
  CHECK(after[2] == 0.0F);  // the norm of nothing is written, as 0
}

namespace {

float l2_norm_of(const DeviceArray<float>& norm) {
  return accel::testing::read_device_value(norm.data());
}

double reference_l2(const TensorSet& set) {
  double sum = 0.0;
  for (const auto& values : set.host) {
    for (const float value : values) {
      const auto wide = static_cast<double>(value);
      sum += wide * wide;
    }
  }
  return std::sqrt(sum);
}

}  // namespace

TEST_CASE("GPU global L2 norm matches an fp64 sum and is the same bits on every run",
          "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  TensorSet set(kMixedSizes, 11);
  set.upload();
  const CudaTensorList list(set.tensors());
  DeviceArray<float> norm(1);
  accel::cuda::global_l2_norm(list, norm.data());
  const float first = l2_norm_of(norm);
  const double want = reference_l2(set);
  CHECK(std::abs(static_cast<double>(first) - want) <= want * 1e-6);
  for (int run = 0; run < 5; ++run) {
    accel::cuda::global_l2_norm(list, norm.data());
    CHECK(std::bit_cast<std::uint32_t>(l2_norm_of(norm)) == std::bit_cast<std::uint32_t>(first));
  }
}

TEST_CASE(
    "GPU global L2 norm: finite for values whose fp32 squares overflow, Inf for an Inf, "
    "NaN for a NaN",
    "[cuda_multi_tensor][gpu]") {
  accel::testing::require_cuda_device();
  TensorSet big({1000, 3}, 12);
  big.plant(0, 10, 1e30F);
  big.plant(1, 2, -3e30F);
  big.upload();
  DeviceArray<float> norm(1);
  const CudaTensorList big_list(big.tensors());
  accel::cuda::global_l2_norm(big_list, norm.data());
  const float got = l2_norm_of(norm);
  CHECK(std::isfinite(got));
  CHECK(std::abs(static_cast<double>(got) - reference_l2(big)) <= reference_l2(big) * 1e-6);

  TensorSet inf({500, 70000}, 13);
  inf.plant(1, 69999, -std::numeric_limits<float>::infinity());
  inf.upload();
  const CudaTensorList inf_list(inf.tensors());
  accel::cuda::global_l2_norm(inf_list, norm.data());
  CHECK(std::isinf(l2_norm_of(norm)));

  TensorSet nan({500, 70000}, 14);
  nan.plant(0, 0, std::numeric_limits<float>::quiet_NaN());
  nan.plant(1, 5, std::numeric_limits<float>::infinity());
  nan.upload();
  const CudaTensorList nan_list(nan.tensors());
  accel::cuda::global_l2_norm(nan_list, norm.data());
  CHECK(std::isnan(l2_norm_of(norm)));
}
