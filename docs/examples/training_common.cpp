#include "training_common.hpp"

#include <bit>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace train_mlp {

std::int64_t checksum_of(std::span<const float> values) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const float value : values) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    for (int byte = 0; byte < 4; ++byte) {
      hash ^= (bits >> (8 * byte)) & 0xFFU;
      hash *= 0x100000001b3ULL;
    }
  }
  return static_cast<std::int64_t>(hash);
}

std::vector<std::size_t> shard_of(std::size_t samples, int rank, int world) {
  const auto processes = static_cast<std::size_t>(world);
  std::vector<std::size_t> shard((samples + processes - 1) / processes);
  for (std::size_t k = 0; k < shard.size(); ++k) {
    shard[k] = (static_cast<std::size_t>(rank) + k * processes) % samples;
  }
  return shard;
}

std::size_t own_samples(std::size_t samples, int rank, int world) {
  return (samples + static_cast<std::size_t>(world) - 1 - static_cast<std::size_t>(rank)) /
         static_cast<std::size_t>(world);
}

bool parameters_identical(accel::Accelerator& accelerator, std::span<const float> parameters) {
  const std::int64_t own = checksum_of(parameters);
  const std::vector<std::int64_t> all = accelerator.gather(own);
  bool identical = true;
  for (std::size_t rank = 0; rank < all.size(); ++rank) {
    if (all[rank] != all[0]) {
      identical = false;
      if (static_cast<int>(rank) == accelerator.process_index()) {
        std::cerr << "train_mlp: rank " << rank << "'s parameters differ from rank 0's (checksum "
                  << std::hex << all[rank] << " vs " << all[0] << std::dec << ")\n";
      }
    }
  }
  return identical;
}

std::string processes_text(int count) {
  return std::to_string(count) + (count == 1 ? " process" : " processes");
}

std::string fixed(double value, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << value;
  return text.str();
}

std::string epoch_line(int epoch, int epochs, double mean_loss, double accuracy, float lr,
                       double seconds) {
  return "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "  loss " +
         fixed(mean_loss, 4) + "  accuracy " + fixed(100.0 * accuracy, 2) + "%  lr " +
         fixed(static_cast<double>(lr), 6) + "  (" + fixed(seconds, 2) + " s)";
}

std::string trained_line(int epochs, double seconds) {
  return "trained " + std::to_string(epochs) + " epochs in " + fixed(seconds, 2) + " s";
}

std::string hex_of(std::int64_t value) {
  std::ostringstream text;
  text << std::hex << std::setw(16) << std::setfill('0') << static_cast<std::uint64_t>(value);
  return text.str();
}

}  // namespace train_mlp
