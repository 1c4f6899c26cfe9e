#include "synthetic_data.hpp"

#include <random>

namespace train_mlp {

namespace {

Dataset draw_samples(const DatasetShape& shape, const std::vector<float>& centroids,
                     std::size_t samples, std::mt19937_64& generator) {
  Dataset data;
  data.features = shape.features;
  data.values.resize(samples * shape.features);
  data.labels.resize(samples);
  const int clusters = shape.classes * shape.clusters_per_class;
  std::uniform_int_distribution<int> pick_cluster(0, clusters - 1);
  std::normal_distribution<float> noise(0.0F, shape.noise);
  for (std::size_t i = 0; i < samples; ++i) {
    const int cluster = pick_cluster(generator);
    data.labels[i] = cluster % shape.classes;
    const float* centroid = centroids.data() + static_cast<std::size_t>(cluster) * shape.features;
    float* row = data.values.data() + i * shape.features;
    for (std::size_t f = 0; f < shape.features; ++f) row[f] = centroid[f] + noise(generator);
  }
  return data;
}

}  // namespace

Problem make_problem(const DatasetShape& shape, std::size_t held_out_samples, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> standard(0.0F, 1.0F);
  std::vector<float> centroids(static_cast<std::size_t>(shape.classes * shape.clusters_per_class) *
                               shape.features);
  for (float& value : centroids) value = standard(generator);

  std::mt19937_64 train_stream(seed + 1);
  std::mt19937_64 held_out_stream(seed + 2);
  return {draw_samples(shape, centroids, shape.samples, train_stream),
          draw_samples(shape, centroids, held_out_samples, held_out_stream)};
}

}  // namespace train_mlp
