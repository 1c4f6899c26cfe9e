// train_mlp.cpp's training loop with the model on the GPU (train_cuda.hpp).
// Line for line the CPU loop, but for where the numbers live: the batches
// are picked on the device from the resident data, the gradients stay
// there and reach the Communicator as device buffers (so NCCL averages
// them), and the host sees the loss once per epoch.
//
// Host code only; a .cu file so that it is built with the GPU path alone
// and docs/examples/*.cpp stay the whole CPU program (CMakeLists.txt).
#include <accel/accel.hpp>
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "mlp_model.hpp"
#include "mlp_model_cuda.hpp"
#include "synthetic_data.hpp"
#include "train_cuda.hpp"
#include "training_common.hpp"

namespace train_mlp {

namespace {

// Held-out accuracy over every process: each evaluates its own samples on
// its GPU, the correct counts are summed.
double held_out_accuracy(accel::Accelerator& accelerator, CudaMlp& model, std::size_t samples) {
  const int rank = accelerator.process_index();
  const int world = accelerator.num_processes();
  const auto shard = shard_of(samples, rank, world);
  const std::size_t own = own_samples(samples, rank, world);
  const std::int64_t correct =
      accelerator.reduce(model.count_held_out_correct(std::span(shard).first(own)));
  return static_cast<double>(correct) / static_cast<double>(samples);
}

}  // namespace

int train_on_cuda(const TrainOptions& options) {
  accel::AcceleratorOptions accelerator_options;
  accelerator_options.mixed_precision = options.mixed_precision;
  accelerator_options.gradient_accumulation_steps = options.gradient_accumulation_steps;
  accel::Accelerator accelerator(accelerator_options);
  const accel::MixedPrecision precision = accelerator.mixed_precision();
  if (precision != accel::MixedPrecision::kNo && precision != accel::MixedPrecision::kBf16) {
    throw std::invalid_argument(
        "--device cuda trains with mixed precision no or bf16, not " +
        std::string(accel::to_string(precision)) +
        " (the example has no loss scaling on the GPU); use --mixed_precision bf16");
  }
  const int rank = accelerator.process_index();
  const int world = accelerator.num_processes();
  const GpuInfo gpu = use_local_gpu(accelerator.state().process_state());
  const auto started = std::chrono::steady_clock::now();

  const Problem problem = make_problem(DatasetShape{}, kHeldOutSamples, options.seed);
  const auto batch = static_cast<std::size_t>(options.batch_size);
  const MlpLayout layout(kWidths, std::max(batch, own_samples(kHeldOutSamples, 0, world)));
  // The CPU model's initial weights, so both devices start from the same.
  const Mlp initial(kWidths, precision, options.seed);
  CudaMlp model(layout, initial.parameters(), precision == accel::MixedPrecision::kBf16, problem);
  accel::Communicator& communicator = accelerator.communicator();
  const std::size_t parameter_count = model.parameter_count();
  // As DistributedDataParallel does: every process starts from rank 0's
  // weights, here a device broadcast (NCCL).
  communicator.broadcast(model.parameters(), parameter_count, accel::DataType::kFloat32, 0);

  std::vector<std::size_t> shard = shard_of(problem.train.size(), rank, world);
  const long batches_per_epoch = static_cast<long>((shard.size() + batch - 1) / batch);
  const long steps = accelerator.gradient_accumulation_steps();
  const long optimizer_steps = options.epochs * ((batches_per_epoch + steps - 1) / steps);
  const long warmup_steps = optimizer_steps / 20;

  accelerator.print("train_mlp: " + processes_text(world) + " on CUDA (rank 0 on cuda:" +
                    std::to_string(gpu.index) + ", " + gpu.name + "), mixed precision " +
                    std::string(accel::to_string(precision)) + ", gradient accumulation " +
                    std::to_string(steps) + ", " + std::to_string(problem.train.size()) +
                    " samples x " + std::to_string(problem.train.features) + " features, batch " +
                    std::to_string(batch) + " per process, " + std::to_string(parameter_count) +
                    " parameters, " + std::to_string(optimizer_steps) + " optimizer steps");

  float lr = 0.0F;
  long steps_taken = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_started = std::chrono::steady_clock::now();
    std::mt19937_64 shuffle(options.seed * 1000 + static_cast<std::uint64_t>(epoch * world + rank));
    std::shuffle(shard.begin(), shard.end(), shuffle);
    model.set_train_order(shard);
    for (long b = 0; b < batches_per_epoch; ++b) {
      const auto first = static_cast<std::size_t>(b) * batch;
      const std::size_t rows = std::min(batch, shard.size() - first);
      const auto step = accelerator.accumulate({.end_of_dataloader = b + 1 == batches_per_epoch});
      model.train_batch(first, rows, step.loss_scale());
      // Device memory: the Communicator averages it through NCCL, queued on
      // the default stream after the backward's kernels.
      if (!step.reduce_gradients(std::span<float>(model.gradients(), parameter_count))) continue;
      lr = cosine_learning_rate(steps_taken, optimizer_steps, warmup_steps, options.learning_rate);
      model.optimizer_step(++steps_taken, lr);
      model.zero_gradients();
    }
    // Waits for the epoch's device work, NCCL's included, within the timeout.
    communicator.synchronize();
    const double mean_loss = accelerator.reduce(model.take_training_loss(), accel::ReduceOp::kSum) /
                             static_cast<double>(shard.size() * static_cast<std::size_t>(world));
    const double accuracy = held_out_accuracy(accelerator, model, problem.held_out.size());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - epoch_started;
    accelerator.print(epoch_line(epoch, options.epochs, mean_loss, accuracy, lr, took.count()));
  }
  const std::chrono::duration<double> total = std::chrono::steady_clock::now() - started;

  std::vector<float> parameters = model.download_parameters();
  if (options.corrupt_rank == rank) {
    parameters[0] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(parameters[0]) ^ 1U);
  }
  const bool identical = parameters_identical(accelerator, parameters);
  accelerator.print(trained_line(options.epochs, total.count()));
  if (!identical) {
    accelerator.print("train_mlp: FAILED: the parameters differ between processes");
    accelerator.wait_for_everyone();
    return 1;
  }
  accelerator.print("parameters bit-identical on " + processes_text(world) + " (checksum " +
                    hex_of(checksum_of(parameters)) + ")");
  return 0;
}

}  // namespace train_mlp
