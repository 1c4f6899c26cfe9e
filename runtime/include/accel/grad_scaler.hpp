// Dynamic loss scaling for fp16 training, with the semantics of PyTorch's
// torch.amp.GradScaler (and aten's _amp_foreach_non_finite_check_and_unscale_
// and _amp_update_scale_), so a native worker and a torch worker given the
// same gradients take the same steps with the same scales.
//
// One iteration, in this order:
//   loss = scaler.scale_loss(loss);        // backward on the scaled loss
//   scaler.unscale(grads);                 // grads *= 1/scale, Inf/NaN check
//   scaler.step([&] { optimizer(); });     // skipped when a grad was Inf/NaN
//   scaler.update();                       // back off or grow the scale
//
// The rules, as torch's:
//  * unscale multiplies in fp32 by inv_scale = float(1 / double(scale)) (torch
//    takes the reciprocal in fp64 because fp32 division can be inexact under
//    some compile options), leaves values alone when inv_scale is 1, and
//    records found_inf when any value was Inf or NaN before the multiply.
//    It may be called several times per iteration (several optimizers or
//    buckets); each buffer once.
//  * step runs the optimizer unless found_inf.
//  * update: found_inf -> scale = float(scale * backoff_factor), growth
//    tracker = 0. Otherwise tracker + 1; when that reaches growth_interval
//    the scale becomes float(scale * growth_factor) unless that is not
//    finite (the scale never grows to Inf), and the tracker goes back to 0.
//    The factors are doubles, the products rounded to fp32, as in aten.
//  * Disabled (options.enabled false): scale() is 1, unscale touches and
//    checks nothing and returns false, step always runs the optimizer,
//    update does nothing: the same code path runs fp32 and bf16 jobs.
// Out of order calls throw std::logic_error saying what to call first:
// step or update with no unscale since the last update (torch's unscale in
// step needs the optimizer's gradients, which libaccel does not see), unscale
// after step, a second step before update.
//
// Thread-safety: none; one scaler belongs to one training loop.
#pragma once

#include <span>

#include "accel/mixed_precision.hpp"

namespace accel {

struct GradScalerOptions {
  float init_scale = 65536.0F;  // 2^16
  double growth_factor = 2.0;   // must be > 1
  double backoff_factor = 0.5;  // must be in (0, 1)
  int growth_interval = 2000;   // clean steps before growing; must be >= 1
  bool enabled = true;

  // What a job launched with --mixed_precision `precision` wants: the
  // defaults above, enabled for fp16 only (see accel/mixed_precision.hpp).
  static GradScalerOptions defaults_for(MixedPrecision precision);
};

class GradScaler {
 public:
  // The state a checkpoint keeps (torch's state_dict "scale" and
  // "_growth_tracker"); the options are the program's.
  struct State {
    float scale = 65536.0F;
    int growth_tracker = 0;
  };

  // Throws std::invalid_argument, naming the option, when an enabled
  // scaler's options break the rules above (torch asserts the same).
  explicit GradScaler(GradScalerOptions options = {});

  bool enabled() const { return options_.enabled; }
  const GradScalerOptions& options() const { return options_; }
  // The current scale; 1 when disabled.
  float scale() const { return options_.enabled ? state_.scale : 1.0F; }
  // Clean steps since the scale last changed (or a skipped step).
  int growth_tracker() const { return state_.growth_tracker; }

  // loss * scale in fp32; the loss itself when disabled.
  float scale_loss(float loss) const { return loss * scale(); }

  // Unscales every buffer in place and checks it for Inf/NaN. Returns
  // whether these buffers held one; found_inf() covers every call since the
  // last update().
  bool unscale(std::span<const std::span<float>> grads);
  bool unscale(std::span<float> grad);
  bool found_inf() const { return found_inf_; }

  // Runs optimizer_step() unless this iteration found an Inf/NaN; returns
  // whether it ran. Enabled scalers need an unscale() first.
  template <class OptimizerStep>
  bool step(OptimizerStep&& optimizer_step) {
    const bool run = begin_step();
    if (run) optimizer_step();
    return run;
  }

  // Adjusts the scale by this iteration's found_inf and starts the next.
  void update();
  // Sets the scale by hand (torch's update(new_scale)): the growth tracker
  // stays, the iteration ends. Throws std::invalid_argument unless finite
  // and positive.
  void update(float new_scale);

  State state() const { return state_; }
  // Throws std::invalid_argument for a scale that is not finite and
  // positive or a tracker outside [0, growth_interval).
  void load_state(State state);

 private:
  enum class Stage { kReady, kUnscaled, kStepped };

  bool begin_step();

  GradScalerOptions options_;
  State state_;
  Stage stage_ = Stage::kReady;
  bool found_inf_ = false;
};

}  // namespace accel
