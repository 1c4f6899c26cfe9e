// AdamW (torch.optim.AdamW's update, decoupled weight decay) and a cosine
// learning-rate schedule with linear warm-up (transformers'
// get_cosine_schedule_with_warmup): what the Accelerate tutorials train with.
//
// Both are pure arithmetic on fp32 buffers: every process that applies them
// to the same parameters and the same (all-reduced) gradients gets the same
// bits, which is what the example's final check relies on.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace train_mlp {

struct AdamWOptions {
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float epsilon = 1e-8F;
  float weight_decay = 0.01F;
};

// The per-step scalars of the update at step `step` (1-based) and learning
// rate `lr`, shared by AdamW::step and the GPU path's kernel (mlp_math.hpp),
// so both compute them with the same arithmetic.
struct AdamWScalars {
  float step_size;         // lr / (1 - beta1^step)
  float decay;             // 1 - lr * weight_decay
  float root_correction2;  // sqrt(1 - beta2^step)
};
AdamWScalars adamw_scalars(const AdamWOptions& options, long step, float lr);

class AdamW {
 public:
  AdamW(std::size_t parameter_count, AdamWOptions options = {});
  // One step at learning rate `lr`: parameters -= lr * (Adam's update +
  // weight_decay * parameters).
  void step(std::span<float> parameters, std::span<const float> gradients, float lr);
  long steps_taken() const { return steps_; }

 private:
  AdamWOptions options_;
  std::vector<float> first_moment_, second_moment_;
  long steps_ = 0;
};

// The learning rate at optimizer step `step` (0-based) of `total_steps`:
// rising linearly to `peak` over `warmup_steps`, then half a cosine down to 0.
float cosine_learning_rate(long step, long total_steps, long warmup_steps, float peak);

}  // namespace train_mlp
