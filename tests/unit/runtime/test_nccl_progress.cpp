// Naming the ranks a timed-out device collective waits for
// (runtime/nccl_progress.hpp): the store exchange runs with thread ranks.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <vector>

#include "rendezvous/store_client.hpp"
#include "runtime/nccl_progress.hpp"
#include "runtime/store_server_fixture.hpp"

using accel::runtime_detail::exchange_progress;
using accel::runtime_detail::progress_text;
using accel::runtime_detail::ranks_behind;
using Progress = std::vector<std::optional<std::uint64_t>>;

TEST_CASE("nccl progress: ranks behind or silent are the ones waited for", "[runtime][nccl]") {
  const Progress progress{17, 15, std::nullopt, 18};
  CHECK(ranks_behind(progress, 17) == std::vector<int>{1, 2});
  CHECK(progress_text(progress, {1, 2}) == "rank 1 is at collective #15, rank 2 did not report");
  CHECK(ranks_behind({17, 17}, 17).empty());
}

TEST_CASE("nccl progress: ranks exchange their progress through the store", "[runtime][nccl]") {
  accel::testing::StoreServerFixture fixture;
  constexpr int kWorld = 3;
  std::vector<Progress> seen(kWorld);
  const auto errors = accel::testing::run_ranks(kWorld, [&](int rank) {
    if (rank == 2) return;  // hung elsewhere: never reports
    auto store = accel::rendezvous::StoreClient::connect(
        "127.0.0.1",
        static_cast<uint16_t>(std::stoi(fixture.worker_env(rank, kWorld).at("ACCEL_STORE_PORT"))),
        "secret", fixture.job_id(), std::chrono::seconds(10));
    seen[static_cast<std::size_t>(rank)] = exchange_progress(
        store, "test/", rank, kWorld, rank == 0 ? 9 : 7, std::chrono::milliseconds(500));
  });
  for (const auto& error : errors) CHECK(error.empty());
  CHECK(seen[0] == Progress{9, 7, std::nullopt});
  CHECK(ranks_behind(seen[0], 9) == std::vector<int>{1, 2});
}
