#include "mlp_steps.hpp"

#include <algorithm>
#include <stdexcept>

namespace train_mlp {

namespace {

// Every buffer starts on a 256-byte boundary, as cudaMalloc's do.
constexpr std::size_t kAlignment = 256;

std::size_t aligned(std::size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

// Walks the layout once for bytes() (block null: sizes only) and once for
// carve(), so the two cannot disagree.
class Carver {
 public:
  explicit Carver(void* block) : block_(static_cast<char*>(block)) {}
  template <typename T>
  T* take(std::size_t count) {
    T* piece = block_ == nullptr ? nullptr : reinterpret_cast<T*>(block_ + used_);
    used_ += aligned(count * sizeof(T));
    return piece;
  }
  std::size_t used() const { return used_; }

 private:
  char* block_;
  std::size_t used_ = 0;
};

MlpWorkspace lay_out(const MlpLayout& layout, Carver& carver) {
  MlpWorkspace work;
  const std::size_t parameters = layout.parameter_count;
  work.parameters = carver.take<float>(parameters);
  work.compute_parameters = carver.take<float>(parameters);
  work.gradients = carver.take<float>(parameters);
  work.first_moment = carver.take<float>(parameters);
  work.second_moment = carver.take<float>(parameters);
  work.activations.push_back(carver.take<float>(layout.max_rows * layout.layers.front().inputs));
  for (const LayerShape& layer : layout.layers) {
    work.activations.push_back(carver.take<float>(layout.max_rows * layer.outputs));
  }
  work.delta = carver.take<float>(layout.max_rows * layout.widest);
  work.previous_delta = carver.take<float>(layout.max_rows * layout.widest);
  work.labels = carver.take<std::int32_t>(layout.max_rows);
  work.row_loss = carver.take<float>(layout.max_rows);
  work.row_correct = carver.take<std::int32_t>(layout.max_rows);
  work.loss_sum = carver.take<double>(1);
  work.correct = carver.take<std::int64_t>(1);
  return work;
}

}  // namespace

MlpLayout::MlpLayout(const std::vector<std::size_t>& widths, std::size_t rows) : max_rows(rows) {
  if (widths.size() < 2) throw std::invalid_argument("an MLP needs inputs and outputs");
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const LayerShape layer{widths[l], widths[l + 1], parameter_count,
                           parameter_count + widths[l] * widths[l + 1]};
    parameter_count = layer.bias_offset + layer.outputs;
    layers.push_back(layer);
  }
  widest = *std::max_element(widths.begin(), widths.end());
}

std::size_t MlpWorkspace::bytes(const MlpLayout& layout) {
  Carver sizes(nullptr);
  lay_out(layout, sizes);
  return sizes.used();
}

MlpWorkspace MlpWorkspace::carve(const MlpLayout& layout, void* block) {
  Carver carver(block);
  return lay_out(layout, carver);
}

}  // namespace train_mlp
