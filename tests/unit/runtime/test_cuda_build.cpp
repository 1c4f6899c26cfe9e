// The GPU entry points on machines that cannot run them: a libaccel built
// without CUDA says so, naming the function; one built with CUDA on a
// machine without a GPU or driver fails with a CudaError that names the
// CUDA call and what to check, never a crash. Neither may touch the GPU for
// an empty conversion. On a machine with a GPU the no-GPU case skips.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "accel/cuda_grad_scaler.hpp"
#include "accel/cuda_multi_tensor.hpp"
#include "accel/cuda_reduced_float.hpp"
#include "skip.hpp"

TEST_CASE("without CUDA every GPU entry point says libaccel was built without CUDA",
          "[cuda_build]") {
  if (accel::cuda::built_with_cuda()) {
    accel::testing::skip_test_case(
        "this libaccel was built with CUDA (ACCEL_CUDA=OFF builds run "
        "this case)");
  }
  const auto without_cuda = Catch::Contains("libaccel was built without CUDA");
  CHECK_THROWS_AS(accel::cuda::float_to_bf16(nullptr, nullptr, 1), accel::cuda::CudaError);
  CHECK_THROWS_WITH(accel::cuda::float_to_fp16(nullptr, nullptr, 1),
                    without_cuda && Catch::Contains("float_to_fp16"));
  CHECK_THROWS_WITH(accel::cuda::bf16_to_float(nullptr, nullptr, 0), without_cuda);
  CHECK_THROWS_WITH(accel::cuda::fp16_to_float(nullptr, nullptr, 0), without_cuda);
  CHECK_THROWS_WITH(accel::cuda::CudaTensorList({}), without_cuda);
  CHECK_THROWS_WITH(accel::cuda::CudaGradScaler(), without_cuda);
}

TEST_CASE(
    "with CUDA but no usable GPU, the GPU entry points fail with a CudaError naming the "
    "call and what to check",
    "[cuda_build]") {
  if (!accel::cuda::built_with_cuda()) {
    accel::testing::skip_test_case("this libaccel was built without CUDA");
  }
  // Empty conversions never reach CUDA, so they succeed even here.
  CHECK_NOTHROW(accel::cuda::float_to_bf16(nullptr, nullptr, 0));
  CHECK_NOTHROW(accel::cuda::fp16_to_float(nullptr, nullptr, 0));
  std::string message;
  try {
    const accel::cuda::CudaTensorList list({});
  } catch (const accel::cuda::CudaError& error) {
    message = error.what();
  }
  if (message.empty()) {
    accel::testing::skip_test_case(
        "a CUDA device is usable here; this case checks machines "
        "without one");
  }
  INFO(message);
  CHECK_THAT(message, Catch::Contains("failed: ") && Catch::Contains("(cudaError") &&
                          Catch::Contains(".cu:"));
  CHECK_THAT(message, Catch::Contains("driver") || Catch::Contains("no CUDA GPU"));
  CHECK_THROWS_AS(accel::cuda::float_to_bf16(nullptr, nullptr, 1), accel::cuda::CudaError);
  CHECK_THROWS_AS(accel::cuda::CudaGradScaler(), accel::cuda::CudaError);
}
