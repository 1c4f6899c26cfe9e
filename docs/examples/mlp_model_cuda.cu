#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "mlp_model_cuda.hpp"
#include "train_cuda.hpp"

namespace train_mlp {

namespace {

// Every CUDA call goes through here: a failure names the call, what it was
// doing, CUDA's own words and where.
void check_cuda(cudaError_t status, const char* call, const std::string& purpose, const char* file,
                int line) {
  if (status == cudaSuccess) return;
  throw std::runtime_error(
      std::string(call) + " (" + purpose + ") failed: " + cudaGetErrorString(status) + " (" +
      cudaGetErrorName(status) + ") at " + file + ":" + std::to_string(line) +
      "; check the GPU with nvidia-smi, or train on the CPU with --device cpu");
}
#define TRAIN_MLP_CUDA(call, purpose) check_cuda((call), #call, (purpose), __FILE__, __LINE__)

template <typename Op>
__global__ void run_op(Op op, std::size_t count) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t index = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       index < count; index += stride) {
    op(index);
  }
}

// mlp_steps.hpp's Launch on the GPU: one thread per index (grid-stride
// beyond 4096 blocks), queued on the legacy default stream.
struct KernelLaunch {
  template <typename Op>
  void operator()(const Op& op, std::size_t count) const {
    if (count == 0) return;
    constexpr std::size_t kThreads = 256;
    const std::size_t blocks = std::min<std::size_t>((count + kThreads - 1) / kThreads, 4096);
    run_op<<<static_cast<unsigned>(blocks), kThreads>>>(op, count);
    TRAIN_MLP_CUDA(cudaGetLastError(), "launching one of the model's kernels");
  }
};

// One cudaMalloc'd block, freed with its owner.
class DeviceBlock {
 public:
  DeviceBlock(std::size_t bytes, const std::string& purpose) {
    TRAIN_MLP_CUDA(cudaMalloc(&data_, std::max<std::size_t>(bytes, 1)), purpose);
  }
  ~DeviceBlock() { static_cast<void>(cudaFree(data_)); }
  DeviceBlock(DeviceBlock&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
  DeviceBlock(const DeviceBlock&) = delete;
  DeviceBlock& operator=(const DeviceBlock&) = delete;
  DeviceBlock& operator=(DeviceBlock&&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
};

template <typename T>
DeviceBlock upload(std::span<const T> values, const std::string& purpose) {
  DeviceBlock block(values.size_bytes(), "allocating " + purpose);
  TRAIN_MLP_CUDA(
      cudaMemcpy(block.as<void>(), values.data(), values.size_bytes(), cudaMemcpyHostToDevice),
      "uploading " + purpose);
  return block;
}

std::vector<std::uint64_t> as_indices(std::span<const std::size_t> indices) {
  return {indices.begin(), indices.end()};
}

}  // namespace

GpuInfo use_local_gpu(const accel::ProcessState& state) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    const std::string reason = status != cudaSuccess ? std::string(cudaGetErrorString(status)) +
                                                           " (" + cudaGetErrorName(status) + ")"
                                                     : std::string("no devices");
    throw NoCudaDevice("--device cuda: no CUDA device on rank " + std::to_string(state.rank) +
                       " (cudaGetDeviceCount: " + reason +
                       "); run on a machine with an NVIDIA GPU and its driver, or train on the "
                       "CPU with --device cpu");
  }
  GpuInfo gpu;
  gpu.index = state.local_device.value_or(state.local_rank);
  gpu.rule = state.local_device ? "ACCEL_LOCAL_DEVICE=" + std::to_string(*state.local_device)
                                : "LOCAL_RANK=" + std::to_string(state.local_rank);
  if (gpu.index < 0 || gpu.index >= count) {
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    throw NoCudaDevice(
        "--device cuda: no CUDA device for rank " + std::to_string(state.rank) +
        ": it is to use GPU " + std::to_string(gpu.index) + " (" + gpu.rule + ") but only " +
        std::to_string(count) + (count == 1 ? " GPU is" : " GPUs are") +
        " visible (CUDA_VISIBLE_DEVICES=" + (visible != nullptr ? visible : "unset") +
        "); run at most one process per GPU on each machine");
  }
  TRAIN_MLP_CUDA(cudaSetDevice(gpu.index), "making GPU " + std::to_string(gpu.index) + " current");
  cudaDeviceProp properties{};
  TRAIN_MLP_CUDA(cudaGetDeviceProperties(&properties, gpu.index), "reading the GPU's name");
  gpu.name = properties.name;
  return gpu;
}

struct CudaMlp::Impl {
  Impl(const MlpLayout& model_layout, bool bf16, const Problem& problem)
      : layout(model_layout),
        workspace(MlpWorkspace::bytes(layout), "allocating the model's buffers"),
        work(MlpWorkspace::carve(layout, workspace.as<void>())),
        steps(layout, work, bf16),
        train_values(upload(std::span<const float>(problem.train.values), "the training data")),
        train_labels(
            upload(std::span<const std::int32_t>(problem.train.labels), "the training labels")),
        held_out_values(
            upload(std::span<const float>(problem.held_out.values), "the held-out data")),
        held_out_labels(
            upload(std::span<const std::int32_t>(problem.held_out.labels), "the held-out labels")),
        held_out_order(layout.max_rows * sizeof(std::uint64_t), "allocating the held-out order"),
        train{train_values.as<const float>(), train_labels.as<const std::int32_t>(),
              problem.train.features},
        held_out{held_out_values.as<const float>(), held_out_labels.as<const std::int32_t>(),
                 problem.held_out.features} {}

  void zero_totals() {
    TRAIN_MLP_CUDA(cudaMemset(work.loss_sum, 0, sizeof(double)), "clearing the loss total");
    TRAIN_MLP_CUDA(cudaMemset(work.correct, 0, sizeof(std::int64_t)),
                   "clearing the correct-row total");
  }

  const MlpLayout layout;
  DeviceBlock workspace;
  MlpWorkspace work;
  MlpSteps<KernelLaunch> steps;
  DeviceBlock train_values, train_labels, held_out_values, held_out_labels, held_out_order;
  std::unique_ptr<DeviceBlock> train_order;
  ResidentDataset train, held_out;
};

CudaMlp::CudaMlp(const MlpLayout& layout, std::span<const float> initial_parameters, bool to_bf16,
                 const Problem& problem)
    : impl_(std::make_unique<Impl>(layout, to_bf16, problem)) {
  if (initial_parameters.size() != layout.parameter_count) {
    throw std::invalid_argument("CudaMlp: " + std::to_string(initial_parameters.size()) +
                                " initial parameters for a model of " +
                                std::to_string(layout.parameter_count));
  }
  TRAIN_MLP_CUDA(cudaMemcpy(impl_->work.parameters, initial_parameters.data(),
                            initial_parameters.size_bytes(), cudaMemcpyHostToDevice),
                 "uploading the initial parameters");
  const std::size_t moments = layout.parameter_count * sizeof(float);
  TRAIN_MLP_CUDA(cudaMemset(impl_->work.first_moment, 0, moments), "clearing AdamW's moments");
  TRAIN_MLP_CUDA(cudaMemset(impl_->work.second_moment, 0, moments), "clearing AdamW's moments");
  zero_gradients();
  impl_->zero_totals();
}

CudaMlp::~CudaMlp() = default;

float* CudaMlp::parameters() {
  return impl_->work.parameters;
}
float* CudaMlp::gradients() {
  return impl_->work.gradients;
}
std::size_t CudaMlp::parameter_count() const {
  return impl_->layout.parameter_count;
}

void CudaMlp::set_train_order(std::span<const std::size_t> sample_indices) {
  const std::vector<std::uint64_t> order = as_indices(sample_indices);
  // cudaMemcpy from pageable memory waits for the kernels before it, which
  // still read the previous order.
  impl_->train_order = std::make_unique<DeviceBlock>(
      upload(std::span<const std::uint64_t>(order), "the epoch's sample order"));
}

void CudaMlp::train_batch(std::size_t first, std::size_t rows, float gradient_factor) {
  if (!impl_->train_order) throw std::logic_error("CudaMlp::train_batch before set_train_order");
  impl_->steps.train_batch(impl_->train, impl_->train_order->as<const std::uint64_t>() + first,
                           rows, gradient_factor);
}

void CudaMlp::optimizer_step(long step, float lr) {
  impl_->steps.optimizer_step(step, lr);
}

void CudaMlp::zero_gradients() {
  impl_->steps.zero_gradients();
}

double CudaMlp::take_training_loss() {
  double loss = 0.0;
  TRAIN_MLP_CUDA(cudaMemcpy(&loss, impl_->work.loss_sum, sizeof loss, cudaMemcpyDeviceToHost),
                 "reading the training loss");
  impl_->zero_totals();
  return loss;
}

std::int64_t CudaMlp::count_held_out_correct(std::span<const std::size_t> sample_indices) {
  if (sample_indices.size() > impl_->layout.max_rows) {
    throw std::invalid_argument("CudaMlp: " + std::to_string(sample_indices.size()) +
                                " held-out samples, at most " +
                                std::to_string(impl_->layout.max_rows));
  }
  const std::vector<std::uint64_t> order = as_indices(sample_indices);
  TRAIN_MLP_CUDA(cudaMemcpy(impl_->held_out_order.as<void>(), order.data(),
                            order.size() * sizeof(std::uint64_t), cudaMemcpyHostToDevice),
                 "uploading the held-out order");
  impl_->zero_totals();
  impl_->steps.evaluate(impl_->held_out, impl_->held_out_order.as<const std::uint64_t>(),
                        sample_indices.size());
  std::int64_t correct = 0;
  TRAIN_MLP_CUDA(cudaMemcpy(&correct, impl_->work.correct, sizeof correct, cudaMemcpyDeviceToHost),
                 "reading the held-out accuracy");
  impl_->zero_totals();
  return correct;
}

std::vector<float> CudaMlp::download_parameters() const {
  std::vector<float> parameters(impl_->layout.parameter_count);
  TRAIN_MLP_CUDA(cudaMemcpy(parameters.data(), impl_->work.parameters,
                            parameters.size() * sizeof(float), cudaMemcpyDeviceToHost),
                 "downloading the parameters");
  return parameters;
}

}  // namespace train_mlp
