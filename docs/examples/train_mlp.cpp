// The classic first data-parallel experiment of the Accelerate tutorials,
// as a native worker: a 3-layer MLP learns a synthetic 10-class problem
// (10,000 samples x 128 features) with AdamW and a cosine learning-rate
// schedule for 10 epochs. Each process trains on its shard of the data; the
// gradients are averaged over the processes with one all_reduce per
// optimizer step; the main process prints each epoch's loss and accuracy.
// At the end every process checks that its parameters are bit for bit those
// of every other process, and the job fails if not.
//
//   accel launch --cpu --num_processes 4 build/release/docs/examples/train_mlp
//       [--mixed_precision bf16] [--gradient_accumulation_steps 2]
//
// With --device cuda the same job runs on the GPUs (train_cuda.hpp), one per
// process, the gradients averaged by NCCL through the same Communicator.
//
// Run by hand, it is a world of one and trains alone.
#include <accel/accel.hpp>
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "adamw.hpp"
#include "mlp_model.hpp"
#include "synthetic_data.hpp"
#include "train_cuda.hpp"
#include "train_options.hpp"
#include "training_common.hpp"

namespace train_mlp {

namespace {

// Copies the samples `indices` into one contiguous batch.
void load_batch(const Dataset& data, std::span<const std::size_t> indices,
                std::vector<float>& features, std::vector<std::int32_t>& labels) {
  features.resize(indices.size() * data.features);
  labels.resize(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const auto sample = data.sample(indices[i]);
    std::copy(sample.begin(), sample.end(),
              features.begin() + static_cast<std::ptrdiff_t>(i * data.features));
    labels[i] = data.labels[indices[i]];
  }
}

// Held-out accuracy over every process: each evaluates its shard, the
// correct counts are summed.
double held_out_accuracy(accel::Accelerator& accelerator, Mlp& model, const Dataset& held_out) {
  const auto shard =
      shard_of(held_out.size(), accelerator.process_index(), accelerator.num_processes());
  // Padding samples (wrapped around) would be counted twice: keep the real ones.
  const std::size_t own =
      own_samples(held_out.size(), accelerator.process_index(), accelerator.num_processes());
  std::vector<float> features;
  std::vector<std::int32_t> labels;
  load_batch(held_out, std::span(shard).first(own), features, labels);
  const std::int64_t correct = accelerator.reduce(model.evaluate(features, labels).correct);
  return static_cast<double>(correct) / static_cast<double>(held_out.size());
}

int train(const TrainOptions& options) {
  accel::AcceleratorOptions accelerator_options;
  accelerator_options.mixed_precision = options.mixed_precision;
  accelerator_options.gradient_accumulation_steps = options.gradient_accumulation_steps;
  accel::Accelerator accelerator(accelerator_options);
  const int rank = accelerator.process_index();
  const int world = accelerator.num_processes();
  const auto started = std::chrono::steady_clock::now();

  const Problem problem = make_problem(DatasetShape{}, kHeldOutSamples, options.seed);
  Mlp model(kWidths, accelerator.mixed_precision(), options.seed);
  // As DistributedDataParallel does: every process starts from rank 0's weights.
  accelerator.communicator().broadcast(model.parameters(), 0);
  std::vector<float> gradients(model.parameters().size(), 0.0F);
  AdamW optimizer(gradients.size());
  accel::GradScaler& scaler = accelerator.grad_scaler();

  std::vector<std::size_t> shard = shard_of(problem.train.size(), rank, world);
  const auto batch = static_cast<std::size_t>(options.batch_size);
  const long batches_per_epoch = static_cast<long>((shard.size() + batch - 1) / batch);
  const long steps = accelerator.gradient_accumulation_steps();
  // The last batch of an epoch always syncs, so an epoch ends its last
  // accumulation early.
  const long optimizer_steps = options.epochs * ((batches_per_epoch + steps - 1) / steps);
  const long warmup_steps = optimizer_steps / 20;

  accelerator.print(
      "train_mlp: " + processes_text(world) + ", mixed precision " +
      std::string(accel::to_string(accelerator.mixed_precision())) + ", gradient accumulation " +
      std::to_string(steps) + ", " + std::to_string(problem.train.size()) + " samples x " +
      std::to_string(problem.train.features) + " features, batch " + std::to_string(batch) +
      " per process, " + std::to_string(model.parameters().size()) + " parameters, " +
      std::to_string(optimizer_steps) + " optimizer steps");

  std::vector<float> features;
  std::vector<std::int32_t> labels;
  float lr = 0.0F;
  long skipped_steps = 0;  // fp16 only: gradients that overflowed
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_started = std::chrono::steady_clock::now();
    std::mt19937_64 shuffle(options.seed * 1000 + static_cast<std::uint64_t>(epoch * world + rank));
    std::shuffle(shard.begin(), shard.end(), shuffle);
    double loss_sum = 0.0;
    for (long b = 0; b < batches_per_epoch; ++b) {
      const auto first = static_cast<std::size_t>(b) * batch;
      const auto indices = std::span(shard).subspan(first, std::min(batch, shard.size() - first));
      load_batch(problem.train, indices, features, labels);

      const auto step = accelerator.accumulate({.end_of_dataloader = b + 1 == batches_per_epoch});
      // Accumulation's 1/steps and, for fp16, the loss scale, both applied
      // to the gradient of the loss as Accelerate's backward() does.
      const float factor = step.loss_scale() * scaler.scale();
      loss_sum += model.train_batch(features, labels, factor, gradients).loss_sum;
      if (!step.reduce_gradients(gradients)) continue;  // accumulating: no communication

      lr = cosine_learning_rate(optimizer.steps_taken(), optimizer_steps, warmup_steps,
                                options.learning_rate);
      scaler.unscale(gradients);
      if (!scaler.step([&] { optimizer.step(model.parameters(), gradients, lr); })) {
        ++skipped_steps;
      }
      scaler.update();
      std::fill(gradients.begin(), gradients.end(), 0.0F);
    }
    const double mean_loss = accelerator.reduce(loss_sum, accel::ReduceOp::kSum) /
                             static_cast<double>(shard.size() * static_cast<std::size_t>(world));
    const double accuracy = held_out_accuracy(accelerator, model, problem.held_out);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - epoch_started;
    accelerator.print(epoch_line(epoch, options.epochs, mean_loss, accuracy, lr, took.count()));
  }
  const std::chrono::duration<double> total = std::chrono::steady_clock::now() - started;

  if (options.corrupt_rank == rank) {
    auto& first = model.parameters()[0];
    first = std::bit_cast<float>(std::bit_cast<std::uint32_t>(first) ^ 1U);
  }
  const bool identical = parameters_identical(accelerator, model.parameters());
  accelerator.print(trained_line(options.epochs, total.count()));
  if (!identical) {
    accelerator.print("train_mlp: FAILED: the parameters differ between processes");
    // Every process has said its part before any exits: the launcher stops
    // the job at the first exit, which could otherwise cut a message off.
    accelerator.wait_for_everyone();
    return 1;
  }
  if (scaler.enabled()) {
    accelerator.print("fp16 loss scale " + fixed(static_cast<double>(scaler.scale()), 0) + ", " +
                      std::to_string(skipped_steps) + " steps skipped after an overflow");
  }
  accelerator.print("parameters bit-identical on " + processes_text(world) + " (checksum " +
                    hex_of(checksum_of(model.parameters())) + ")");
  return 0;
}

}  // namespace

}  // namespace train_mlp

int main(int argc, char** argv) {
  try {
    const auto options = train_mlp::parse_train_options({argv + 1, argv + argc});
    if (options.device == train_mlp::Device::kCuda) return train_mlp::train_on_cuda(options);
    return train_mlp::train(options);
  } catch (const train_mlp::NoCudaDevice& error) {
    std::cerr << "train_mlp: " << error.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "train_mlp: " << error.what() << "\n" << train_mlp::kTrainUsage;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "train_mlp: " << error.what() << "\n";
    return 1;
  }
}
