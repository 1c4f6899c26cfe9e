// What the CPU and the GPU training loops of the example share: the model's
// shape, the split of the data over the processes, the final check that
// every process holds the same parameters, and the formatting of the
// report lines, so the two loops print the same lines.
//
// Thread-safety: pure functions, but for parameters_identical, a collective
// call on the Accelerator (one thread at a time).
#pragma once

#include <accel/accel.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace train_mlp {

inline constexpr std::size_t kHeldOutSamples = 2'000;
inline const std::vector<std::size_t> kWidths = {128, 64, 64, 10};

// FNV-1a over the parameters' bytes: equal on two processes exactly when
// (barring a collision) their parameters are bit-identical.
std::int64_t checksum_of(std::span<const float> values);

// This process's shard: samples rank, rank + W, rank + 2W, ... of the
// training set, made as long as the longest shard by wrapping around to the
// start (Accelerate's even_batches), so every process runs the same number
// of batches and their collectives pair up.
std::vector<std::size_t> shard_of(std::size_t samples, int rank, int world);

// How many samples of shard_of(samples, rank, world) are real (not wrapped
// around): the held-out evaluation counts each sample once.
std::size_t own_samples(std::size_t samples, int rank, int world);

// Every process's checksum, compared: true when all are equal; the process
// whose checksum differs from rank 0's says so on stderr.
bool parameters_identical(accel::Accelerator& accelerator, std::span<const float> parameters);

// "epoch 3/10  loss 0.1234  accuracy 93.50%  lr 0.000750  (0.04 s)": the
// main process's line after each epoch (tests read it).
std::string epoch_line(int epoch, int epochs, double mean_loss, double accuracy, float lr,
                       double seconds);
// "trained 10 epochs in 0.37 s".
std::string trained_line(int epochs, double seconds);

// "1 process", "4 processes".
std::string processes_text(int count);
// `value` with `decimals` digits after the point.
std::string fixed(double value, int decimals);
// 16 lower-case hex digits.
std::string hex_of(std::int64_t value);

}  // namespace train_mlp
