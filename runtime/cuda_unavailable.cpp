// The GPU entry points of a libaccel built without CUDA (ACCEL_CUDA=OFF, or
// no toolkit at build time): the same symbols, so programs link either way,
// each throwing an error that says why and what to do.
#include <string>

#include "accel/cuda_grad_scaler.hpp"
#include "accel/cuda_multi_tensor.hpp"
#include "accel/cuda_reduced_float.hpp"

namespace accel::cuda {

namespace {

[[noreturn]] void unavailable(const char* function) {
  throw CudaError(std::string(function) +
                  ": libaccel was built without CUDA (ACCEL_CUDA=OFF, or no CUDA toolkit when it "
                  "was configured); rebuild it with the CUDA toolkit installed to use the GPU");
}

}  // namespace

bool built_with_cuda() noexcept {
  return false;
}

void float_to_bf16(const float*, std::uint16_t*, std::size_t, cudaStream_t) {
  unavailable("accel::cuda::float_to_bf16");
}
void float_to_fp16(const float*, std::uint16_t*, std::size_t, cudaStream_t) {
  unavailable("accel::cuda::float_to_fp16");
}
void bf16_to_float(const std::uint16_t*, float*, std::size_t, cudaStream_t) {
  unavailable("accel::cuda::bf16_to_float");
}
void fp16_to_float(const std::uint16_t*, float*, std::size_t, cudaStream_t) {
  unavailable("accel::cuda::fp16_to_float");
}

struct CudaTensorList::Impl {};

CudaTensorList::CudaTensorList(std::span<const DeviceTensor>) {
  unavailable("accel::cuda::CudaTensorList");
}
CudaTensorList::~CudaTensorList() = default;
CudaTensorList::CudaTensorList(CudaTensorList&&) noexcept = default;
CudaTensorList& CudaTensorList::operator=(CudaTensorList&&) noexcept = default;
// A list cannot be constructed here, so these are never reached.
std::size_t CudaTensorList::tensor_count() const {
  return 0;
}
std::size_t CudaTensorList::element_count() const {
  return 0;
}
std::size_t CudaTensorList::chunk_count() const {
  return 0;
}

void unscale_and_check(const CudaTensorList&, const float*, float*, cudaStream_t) {
  unavailable("accel::cuda::unscale_and_check");
}
void global_l2_norm(const CudaTensorList&, float*, cudaStream_t) {
  unavailable("accel::cuda::global_l2_norm");
}

struct CudaGradScaler::DeviceState {};

CudaGradScaler::CudaGradScaler(GradScalerOptions options) : options_(options) {
  unavailable("accel::cuda::CudaGradScaler");
}
CudaGradScaler::~CudaGradScaler() = default;
CudaGradScaler::CudaGradScaler(CudaGradScaler&&) noexcept = default;
CudaGradScaler& CudaGradScaler::operator=(CudaGradScaler&&) noexcept = default;
void CudaGradScaler::unscale(const CudaTensorList&, cudaStream_t) {
  unavailable("accel::cuda::CudaGradScaler::unscale");
}
void CudaGradScaler::update(cudaStream_t) {
  static_cast<void>(unscaled_);  // the order check of the CUDA build
  unavailable("accel::cuda::CudaGradScaler::update");
}
const float* CudaGradScaler::device_found_inf() const {
  unavailable("accel::cuda::CudaGradScaler::device_found_inf");
}
const float* CudaGradScaler::device_scale() const {
  unavailable("accel::cuda::CudaGradScaler::device_scale");
}
const float* CudaGradScaler::device_inv_scale() const {
  unavailable("accel::cuda::CudaGradScaler::device_inv_scale");
}
GradScaler::State CudaGradScaler::state(cudaStream_t) const {
  unavailable("accel::cuda::CudaGradScaler::state");
}
void CudaGradScaler::load_state(GradScaler::State, cudaStream_t) {
  unavailable("accel::cuda::CudaGradScaler::load_state");
}

}  // namespace accel::cuda
