#include "accel/accelerator.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "base/environment.hpp"

namespace accel {

class Accelerator::Impl {
 public:
  // The environment's own settings are read (and refused when malformed)
  // before anything connects: a typo fails at once, not after the meeting.
  explicit Impl(AcceleratorOptions options)
      : env_(options.env ? std::move(options.env) : base::process_environment()),
        mixed_precision_(options.mixed_precision ? *options.mixed_precision
                                                 : mixed_precision_from_environment(env_)),
        scaler_(options.grad_scaler ? *options.grad_scaler
                                    : GradScalerOptions::defaults_for(mixed_precision_)),
        accumulation_steps_(options.gradient_accumulation_steps
                                ? *options.gradient_accumulation_steps
                                : gradient_accumulation_steps_from_environment(env_)),
        state_(state_options(options)),
        communicator_(communicator_options(options)),
        accumulator_(accumulation_options(options), average_gradients_with(communicator_)) {}

  DistributedState& state() { return state_; }
  const DistributedState& state() const { return state_; }
  Communicator& communicator() { return communicator_; }
  MixedPrecision mixed_precision() const { return mixed_precision_; }
  GradScaler& grad_scaler() { return scaler_; }
  GradientAccumulator& accumulator() { return accumulator_; }
  const GradientAccumulator& accumulator() const { return accumulator_; }

 private:
  DistributedStateOptions state_options(const AcceleratorOptions& options) const {
    DistributedStateOptions state;
    state.env = env_;
    state.out = options.out;
    state.timeout = options.timeout;
    return state;
  }

  CommunicatorOptions communicator_options(const AcceleratorOptions& options) const {
    CommunicatorOptions communicator;
    communicator.env = env_;
    communicator.timeout = options.timeout;
    communicator.name = options.communicator_name;
    return communicator;
  }

  GradientAccumulationOptions accumulation_options(const AcceleratorOptions& options) const {
    GradientAccumulationOptions accumulation;
    accumulation.steps = accumulation_steps_;
    accumulation.sync_with_dataloader = options.sync_with_dataloader;
    accumulation.env = env_;
    return accumulation;
  }

  EnvLookup env_;
  MixedPrecision mixed_precision_;
  GradScaler scaler_;
  int accumulation_steps_;
  DistributedState state_;
  Communicator communicator_;
  GradientAccumulator accumulator_;  // its reducer refers to communicator_
};

Accelerator::Accelerator(AcceleratorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Accelerator::Accelerator(Accelerator&&) noexcept = default;
Accelerator& Accelerator::operator=(Accelerator&&) noexcept = default;
Accelerator::~Accelerator() = default;

int Accelerator::process_index() const {
  return impl_->state().process_index();
}
int Accelerator::num_processes() const {
  return impl_->state().num_processes();
}
int Accelerator::local_process_index() const {
  return impl_->state().local_process_index();
}
int Accelerator::num_local_processes() const {
  return impl_->state().num_local_processes();
}
bool Accelerator::is_main_process() const {
  return impl_->state().is_main_process();
}
bool Accelerator::is_local_main_process() const {
  return impl_->state().is_local_main_process();
}

void Accelerator::print(std::string_view line) const {
  impl_->state().print(line);
}
void Accelerator::wait_for_everyone() {
  impl_->state().wait_for_everyone();
}
MainProcessFirst Accelerator::main_process_first() {
  return impl_->state().main_process_first();
}

Communicator& Accelerator::communicator() {
  return impl_->communicator();
}

MixedPrecision Accelerator::mixed_precision() const {
  return impl_->mixed_precision();
}
GradScaler& Accelerator::grad_scaler() {
  return impl_->grad_scaler();
}

int Accelerator::gradient_accumulation_steps() const {
  return impl_->accumulator().steps();
}
bool Accelerator::sync_gradients() const {
  return impl_->accumulator().sync_gradients();
}
AccumulationStep Accelerator::accumulate(MicroBatch batch) {
  return impl_->accumulator().accumulate(batch);
}

DistributedState& Accelerator::state() {
  return impl_->state();
}
GradientAccumulator& Accelerator::gradient_accumulator() {
  return impl_->accumulator();
}

GradientReducer average_gradients_with(Communicator& communicator) {
  // Shared so the std::function stays copyable; reused across steps so a
  // loop allocates its packing buffer once.
  auto packed = std::make_shared<std::vector<float>>();
  return [&communicator, packed](std::span<const std::span<float>> gradients) {
    if (communicator.size() == 1) return;  // the average over one process
    if (gradients.size() == 1) {
      communicator.all_reduce(gradients.front(), ReduceOp::kAvg);
      return;
    }
    std::size_t total = 0;
    for (const std::span<float> gradient : gradients) total += gradient.size();
    packed->resize(total);
    auto cursor = packed->begin();
    for (const std::span<float> gradient : gradients) {
      cursor = std::copy(gradient.begin(), gradient.end(), cursor);
    }
    communicator.all_reduce(std::span<float>(*packed), ReduceOp::kAvg);
    auto from = packed->cbegin();
    for (const std::span<float> gradient : gradients) {
      std::copy(from, from + static_cast<std::ptrdiff_t>(gradient.size()), gradient.begin());
      from += static_cast<std::ptrdiff_t>(gradient.size());
    }
  };
}

}  // namespace accel
