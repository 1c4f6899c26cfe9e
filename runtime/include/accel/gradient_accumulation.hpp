// Gradient accumulation with HF Accelerate's `sync_gradients` semantics: a
// training loop runs every micro-batch through an accumulate() scope, adds
// its gradients into the same buffers, and the processes exchange gradients
// and step the optimizer only on the micro-step that completes an
// accumulation. N micro-batches of B samples on each of W processes then
// make one optimizer step over N * B * W samples, with one gradient
// exchange instead of N.
//
//   for (std::size_t i = 0; i < batches; ++i) {
//     const auto step = accumulator.accumulate({.end_of_dataloader = i + 1 == batches});
//     backward(batch(i), step.loss_scale(), grads);     // grads += d(loss * loss_scale)
//     if (step.reduce_gradients(grads)) {              // all-reduce (avg) when syncing
//       optimizer_step(grads);
//       zero(grads);
//     }
//   }
//
// The rules, as Accelerate's `accumulate` (GradientState, _do_sync):
//  * Each accumulate() opens micro-step k = 1, 2, ...; it syncs when k is a
//    multiple of steps(). With steps() == 1 every micro-step syncs.
//  * A micro-step told it holds the last batch of the data (end_of_dataloader)
//    syncs too, so no gradients carry over into the next epoch, and the count
//    starts again from 0 (unless sync_with_dataloader is false, then the last
//    batch is an ordinary one).
//  * loss_scale() is 1 / steps(), what Accelerate's backward() divides the
//    loss by, so the accumulated gradient is the mean over the micro-batches
//    (a short accumulation at the end of the data is divided by steps() too,
//    as in Accelerate).
//  * reduce_gradients() calls the reducer (the Accelerator's averages across
//    processes with one all_reduce) only when the micro-step syncs, and
//    returns whether it did; on other micro-steps it does nothing, which is
//    the point: no communication while accumulating. Every process must
//    therefore see the same sequence of micro-steps (same batch count, same
//    end_of_dataloader), or their collectives stop matching.
//
// Errors: std::invalid_argument naming the option or variable for a step
// count that is not a positive integer; std::logic_error for a second
// accumulate() while a micro-step is still open (the inner one would be
// counted twice). What the reducer throws (CollectiveError) passes through.
//
// Thread-safety: none; one accumulator belongs to one training loop.
#pragma once

#include <functional>
#include <optional>
#include <span>

#include "accel/environment_lookup.hpp"

namespace accel {

// ACCELERATE_GRADIENT_ACCUMULATION_STEPS from `lookup` (the launcher sets it
// from the config file), else 1. Throws std::invalid_argument naming the
// variable when it is set but not an integer from 1 up.
int gradient_accumulation_steps_from_environment(const EnvLookup& lookup);

// Averages gradient buffers across the processes, in place. The Accelerator
// passes one built on its Communicator (average_gradients_with in
// accel/accelerator.hpp); tests pass a fake that counts its calls.
using GradientReducer = std::function<void(std::span<const std::span<float>> gradients)>;

struct GradientAccumulationOptions {
  // Micro-steps per optimizer step; nullopt = the environment variable
  // above, else 1. Must be >= 1.
  std::optional<int> steps;
  // Whether the last batch of the data ends an accumulation early.
  bool sync_with_dataloader = true;
  EnvLookup env;  // empty = the process environment
};

// What the training loop knows about one micro-batch.
struct MicroBatch {
  bool end_of_dataloader = false;  // the last batch of the epoch
};

class AccumulationStep;

class GradientAccumulator {
 public:
  // `reducer` may be empty: a world of one has nothing to exchange.
  explicit GradientAccumulator(GradientAccumulationOptions options = {},
                               GradientReducer reducer = {});
  GradientAccumulator(const GradientAccumulator&) = delete;
  GradientAccumulator& operator=(const GradientAccumulator&) = delete;

  int steps() const { return steps_; }
  // Whether the open (else the last) micro-step syncs; true before the first.
  bool sync_gradients() const { return sync_gradients_; }
  // Micro-steps since the last sync (0 right after one).
  int pending_micro_steps() const { return micro_step_ % steps_; }

  // Opens the next micro-step; it closes when the returned scope ends.
  [[nodiscard]] AccumulationStep accumulate(MicroBatch batch = {});

 private:
  friend class AccumulationStep;

  int steps_;
  bool sync_with_dataloader_;
  GradientReducer reducer_;
  int micro_step_ = 0;
  bool sync_gradients_ = true;
  bool step_open_ = false;
};

// One micro-step, open while it lives. It refers to its accumulator, which
// must outlive it.
class AccumulationStep {
 public:
  ~AccumulationStep();
  AccumulationStep(const AccumulationStep&) = delete;
  AccumulationStep& operator=(const AccumulationStep&) = delete;
  AccumulationStep(AccumulationStep&&) = delete;
  AccumulationStep& operator=(AccumulationStep&&) = delete;

  // Whether this micro-step completes an accumulation: exchange gradients,
  // step the optimizer (and the learning-rate schedule), zero the gradients.
  bool sync_gradients() const { return sync_gradients_; }
  // Multiply the loss (its gradient) by this: 1 / steps().
  float loss_scale() const { return loss_scale_; }

  // On a syncing micro-step, averages the buffers across the processes (one
  // reducer call for all of them) and returns true; otherwise returns false
  // and communicates nothing. Reduce each buffer once per sync.
  bool reduce_gradients(std::span<const std::span<float>> gradients) const;
  bool reduce_gradients(std::span<float> gradients) const;

 private:
  friend class GradientAccumulator;
  AccumulationStep(GradientAccumulator& accumulator, bool sync_gradients);

  GradientAccumulator& accumulator_;
  bool sync_gradients_;
  float loss_scale_;
};

}  // namespace accel
