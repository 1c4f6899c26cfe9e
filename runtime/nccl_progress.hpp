// Who did not arrive, for a device collective that timed out. NCCL cannot
// say which peer it waits for, and recording every call in the store would
// cost a round trip per collective (the backend's target is ~1 us), so the
// ranks say it only when it matters: a rank whose device collective timed
// out publishes the sequence number of the last collective it entered
// (<prefix>nccl/progress/<rank>), then waits a grace period for every
// other rank's. The ranks stuck with it report the same number or a later
// one; a rank behind it, or one that never reports (busy elsewhere, hung
// outside the communicator), is the one the others wait for.
//
// The price of asking late: a rank that entered the stuck collective more
// than the grace period after this one has not timed out yet and is named
// as not reporting. The grace period is min(timeout, 5 s).
//
// Errors: rendezvous::StoreError from the store client.
// Not thread-safe, like the StoreClient it uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rendezvous/store_client.hpp"

namespace accel::runtime_detail {

inline constexpr std::chrono::milliseconds kProgressGracePeriod{5000};

// Publishes `sequence` as `rank`'s progress, then collects every rank's
// (index = rank; nullopt for a rank that did not report within `grace`).
std::vector<std::optional<std::uint64_t>> exchange_progress(rendezvous::StoreClient& store,
                                                            const std::string& key_prefix, int rank,
                                                            int world_size, std::uint64_t sequence,
                                                            std::chrono::milliseconds grace);

// The ranks behind `sequence` or without a report, ascending.
std::vector<int> ranks_behind(const std::vector<std::optional<std::uint64_t>>& progress,
                              std::uint64_t sequence);

// "rank 2 is at collective #15, rank 3 did not report": what ranks_behind's
// ranks were doing, for the error message.
std::string progress_text(const std::vector<std::optional<std::uint64_t>>& progress,
                          const std::vector<int>& ranks);

}  // namespace accel::runtime_detail
