// The example's data: a classification problem made up from a seed, the same
// on every process (each generates it whole and keeps its shard), so the job
// needs no files and every run sees the same numbers.
//
// Each class is a mixture of a few clusters whose centres are drawn from
// N(0, 1) in every feature; a sample is one of its class's centres plus
// N(0, noise^2) noise in every feature. A class is then no single direction
// a linear model could find: the hidden layers have to learn the clusters,
// which takes a few epochs, and the noise keeps the best possible accuracy
// a little under 100 %.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace train_mlp {

struct Dataset {
  std::size_t features = 0;          // per sample
  std::vector<float> values;         // samples x features, row-major
  std::vector<std::int32_t> labels;  // 0 .. classes-1

  std::size_t size() const { return labels.size(); }
  std::span<const float> sample(std::size_t index) const {
    return {values.data() + index * features, features};
  }
};

struct DatasetShape {
  std::size_t samples = 10'000;
  std::size_t features = 128;
  int classes = 10;
  int clusters_per_class = 4;
  float noise = 2.0F;  // per-feature standard deviation around a centre  // per-feature standard
                       // deviation around a centre  // per-feature standard deviation around a
                       // centre  // per-feature standard deviation around the centroid
};

// Both sets share the centroids (the problem); `seed` picks the problem, the
// two sets draw their samples from distinct streams.
struct Problem {
  Dataset train;
  Dataset held_out;
};
Problem make_problem(const DatasetShape& shape, std::size_t held_out_samples, std::uint64_t seed);

}  // namespace train_mlp
