// accel::Accelerator, the one object a native training loop holds: the C++
// counterpart of HF Accelerate's `Accelerator` on CPU. It gathers what the
// other headers provide into the calls a data-parallel loop makes:
//
//   * where this process is: process_index, num_processes,
//     local_process_index, is_main_process, is_local_main_process, print
//     (main process only), wait_for_everyone, main_process_first
//     (DistributedState, accel/distributed_state.hpp);
//   * collectives over every process: gather (all_gather), reduce (an
//     all-reduce: every process gets the result, as Accelerate's reduce),
//     and communicator() for the rest (Communicator, accel/collectives.hpp);
//   * mixed precision as the launcher set it (ACCELERATE_MIXED_PRECISION)
//     with the matching GradScaler (enabled for fp16 only);
//   * gradient accumulation (accel/gradient_accumulation.hpp) whose gradient
//     exchange is an all_reduce (avg) through the communicator, made only on
//     the micro-step that syncs.
//
// Construction is collective: every process of the job constructs its
// Accelerator, and they meet through the job's store (under `accel launch`);
// started by hand the process is a world of one and nothing communicates.
//
// Errors: construction throws std::invalid_argument naming the variable
// (a malformed launcher environment, ACCELERATE_MIXED_PRECISION,
// ACCELERATE_GRADIENT_ACCUMULATION_STEPS), SyncError / CollectiveError
// when the processes cannot meet. Collectives throw CollectiveError naming
// the ranks that failed or did not arrive within the timeout; the
// Accelerator is then broken and the process should exit (the launcher
// stops the others). Arguments that cannot be right throw
// std::invalid_argument before any communication.
//
// Thread-safety: one Accelerator per process (it owns the process's
// DistributedState and its "accelerator" communicator), used from one
// thread at a time. Moving it keeps open scopes (MainProcessFirst,
// AccumulationStep) valid: they refer to parts that do not move.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "accel/collectives.hpp"
#include "accel/distributed_state.hpp"
#include "accel/grad_scaler.hpp"
#include "accel/gradient_accumulation.hpp"
#include "accel/mixed_precision.hpp"

namespace accel {

struct AcceleratorOptions {
  EnvLookup env;  // empty = the process environment
  // Where print() writes (main process only); nullptr = std::cout.
  std::ostream* out = nullptr;
  // How long a barrier or collective waits; nullopt = ACCEL_RUNTIME_TIMEOUT
  // (whole seconds), else 600 s.
  std::optional<std::chrono::milliseconds> timeout;
  // nullopt = ACCELERATE_MIXED_PRECISION, else no.
  std::optional<MixedPrecision> mixed_precision;
  // nullopt = GradScalerOptions::defaults_for(the mixed precision).
  std::optional<GradScalerOptions> grad_scaler;
  // nullopt = ACCELERATE_GRADIENT_ACCUMULATION_STEPS, else 1.
  std::optional<int> gradient_accumulation_steps;
  bool sync_with_dataloader = true;
  // The communicator's name (CommunicatorOptions::name); change it only to
  // run two Accelerators in one process, as tests do.
  std::string communicator_name = "accelerator";
};

class Accelerator {
 public:
  explicit Accelerator(AcceleratorOptions options = {});
  Accelerator(Accelerator&&) noexcept;
  Accelerator& operator=(Accelerator&&) noexcept;
  ~Accelerator();

  // --- where this process is -------------------------------------------------
  int process_index() const;        // RANK
  int num_processes() const;        // WORLD_SIZE
  int local_process_index() const;  // LOCAL_RANK
  int num_local_processes() const;  // LOCAL_WORLD_SIZE
  bool is_main_process() const;
  bool is_local_main_process() const;

  // Writes `line` and a newline on the main process only, then flushes.
  void print(std::string_view line) const;
  // Returns once every process has called it as many times as this one.
  void wait_for_everyone();
  // A scope the main process runs before every other process runs theirs.
  [[nodiscard]] MainProcessFirst main_process_first();

  // --- collectives -------------------------------------------------------
  // Every process's `values`, in rank order (all_gather): num_processes()
  // times as many elements. Every process passes the same count.
  template <typename T>
  std::vector<T> gather(std::span<const T> values) {
    return communicator().all_gather(values);
  }
  template <typename T>
  std::vector<T> gather(const std::vector<T>& values) {
    return gather(std::span<const T>(values));
  }
  template <typename T>
  requires std::is_arithmetic_v<T> std::vector<T> gather(T value) {
    return gather(std::span<const T>(&value, 1));
  }
  // Replaces `values` on every process by their reduction over all the
  // processes (all_reduce; Accelerate's reduce, whose "mean" is kAvg).
  template <typename T>
  void reduce(std::span<T> values, ReduceOp op = ReduceOp::kSum) {
    communicator().all_reduce(values, op);
  }
  template <typename T>
  void reduce(std::vector<T>& values, ReduceOp op = ReduceOp::kSum) {
    reduce(std::span<T>(values), op);
  }
  // One value's reduction over all the processes: a metric, a count.
  template <typename T>
  requires std::is_arithmetic_v<T> T reduce(T value, ReduceOp op = ReduceOp::kSum) {
    reduce(std::span<T>(&value, 1), op);
    return value;
  }
  // The communicator, for the other collectives and the untyped calls
  // (fp16 and bf16 buffers).
  Communicator& communicator();

  // --- mixed precision -------------------------------------------------------
  MixedPrecision mixed_precision() const;
  // Enabled for fp16 (unless AcceleratorOptions::grad_scaler said otherwise);
  // a pass-through otherwise, so one loop serves every precision.
  GradScaler& grad_scaler();

  // --- gradient accumulation -------------------------------------------------
  int gradient_accumulation_steps() const;
  // Whether the open (else the last) micro-step syncs.
  bool sync_gradients() const;
  // Opens the next micro-step (see accel/gradient_accumulation.hpp); its
  // reduce_gradients() averages over the processes with one all_reduce,
  // on the syncing micro-step only.
  [[nodiscard]] AccumulationStep accumulate(MicroBatch batch = {});

  // The parts, for what this facade does not pass through.
  DistributedState& state();
  GradientAccumulator& gradient_accumulator();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A GradientReducer that averages the buffers over `communicator`'s
// processes with one all_reduce (several buffers are packed into one
// scratch buffer first: one collective's latency instead of one per
// buffer). The communicator must outlive it.
GradientReducer average_gradients_with(Communicator& communicator);

}  // namespace accel
