#include "runtime/nccl_progress.hpp"

#include <charconv>
#include <thread>

namespace accel::runtime_detail {

namespace {

// Short against the grace period, long enough not to load the store.
constexpr std::chrono::milliseconds kPollInterval{20};

std::string progress_key(const std::string& key_prefix, int rank) {
  return key_prefix + "nccl/progress/" + std::to_string(rank);
}

std::optional<std::uint64_t> parse_sequence(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::vector<std::optional<std::uint64_t>> exchange_progress(rendezvous::StoreClient& store,
                                                            const std::string& key_prefix, int rank,
                                                            int world_size, std::uint64_t sequence,
                                                            std::chrono::milliseconds grace) {
  store.set(progress_key(key_prefix, rank), std::to_string(sequence));
  std::vector<std::optional<std::uint64_t>> progress(static_cast<std::size_t>(world_size));
  const auto give_up = std::chrono::steady_clock::now() + grace;
  for (;;) {
    bool all_reported = true;
    for (int other = 0; other < world_size; ++other) {
      auto& slot = progress[static_cast<std::size_t>(other)];
      if (slot) continue;
      // get, not wait: a wait that times out leaves the client unusable.
      if (const auto value = store.get(progress_key(key_prefix, other))) {
        slot = parse_sequence(*value);
      }
      if (!slot) all_reported = false;
    }
    if (all_reported || std::chrono::steady_clock::now() >= give_up) return progress;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::vector<int> ranks_behind(const std::vector<std::optional<std::uint64_t>>& progress,
                              std::uint64_t sequence) {
  std::vector<int> behind;
  for (std::size_t rank = 0; rank < progress.size(); ++rank) {
    if (!progress[rank] || *progress[rank] < sequence) behind.push_back(static_cast<int>(rank));
  }
  return behind;
}

std::string progress_text(const std::vector<std::optional<std::uint64_t>>& progress,
                          const std::vector<int>& ranks) {
  std::string text;
  for (const int rank : ranks) {
    if (!text.empty()) text += ", ";
    const auto& reported = progress.at(static_cast<std::size_t>(rank));
    text += "rank " + std::to_string(rank);
    text += reported ? " is at collective #" + std::to_string(*reported) : " did not report";
  }
  return text;
}

}  // namespace accel::runtime_detail
