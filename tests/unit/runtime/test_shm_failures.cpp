// What the shared-memory group promises when things go wrong, and that it
// leaves nothing in /dev/shm: a missing member is named by the timeout (in
// the set-up and in a collective), a stale segment of a killed run is
// replaced, and the name is gone as soon as the group exists.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "runtime/shm_group.hpp"
#include "runtime/shm_segment.hpp"
#include "shm_test_support.hpp"

using accel::CollectiveError;
using accel::DataType;
using accel::ReduceOp;
using accel::runtime_detail::make_shared_memory_group;
using accel::runtime_detail::segment_name;
using accel::runtime_detail::ShmOptions;
using namespace accel::testing;
using namespace std::chrono_literals;

namespace {

bool in_dev_shm(const std::string& name) {
  return std::filesystem::exists("/dev/shm" + name);  // names start with '/'
}

// The Communicator's options for rank `rank` of `world` on one machine.
accel::CommunicatorOptions options_for(const StoreServerFixture& store, int rank, int world,
                                       const std::string& name, std::chrono::milliseconds timeout) {
  accel::CommunicatorOptions options;
  options.env = env_of(store.worker_env(rank, world));
  options.timeout = timeout;
  options.name = name;
  return options;
}

}  // namespace

TEST_CASE("shm: the segment's name is short, has one '/' and differs per machine and prefix",
          "[runtime][shm]") {
  const std::string name = segment_name("job-7", "accel/comm/attempt0/world/", 0);
  CHECK(name.size() == 23);
  CHECK(name.rfind('/') == 0);
  CHECK(name != segment_name("job-7", "accel/comm/attempt0/world/", 4));
  CHECK(name != segment_name("job-7", "accel/comm/attempt1/world/", 0));
  CHECK(name != segment_name("job-8", "accel/comm/attempt0/world/", 0));
  CHECK(name == segment_name("job-7", "accel/comm/attempt0/world/", 0));
}

TEST_CASE("shm: nothing is left in /dev/shm once the group exists, nor after it",
          "[runtime][shm]") {
  StoreServerFixture store;
  const std::string prefix = unique_prefix("leftovers");
  const std::string name = segment_name(store.job_id(), prefix, 0);
  std::vector<int> present_after_setup(4, -1);
  const auto errors = run_ranks(4, [&](int rank) {
    Member member(store, prefix, rank, 4, 20s);
    const auto group = make_shared_memory_group(member.context);
    present_after_setup[static_cast<std::size_t>(rank)] = in_dev_shm(name) ? 1 : 0;
    Calls calls(20s);
    std::vector<float> data(1000, 1.0F);
    group->all_reduce(data.data(), data.data(), data.size(), DataType::kFloat32, ReduceOp::kSum,
                      calls.next("all_reduce"));
    if (data[999] != 4.0F) throw std::runtime_error("wrong sum");
  });
  CHECK(errors == std::vector<std::string>(4));
  CHECK(present_after_setup == std::vector<int>(4, 0));
  CHECK_FALSE(in_dev_shm(name));
}

TEST_CASE("shm: a stale segment of the same name (a killed run's) is replaced", "[runtime][shm]") {
  StoreServerFixture store;
  const std::string prefix = unique_prefix("stale");
  const std::string name = segment_name(store.job_id(), prefix, 0);
  {
    const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 100) == 0);  // the wrong size, garbage inside
    ::close(fd);
  }
  REQUIRE(in_dev_shm(name));
  const auto errors = run_ranks(2, [&](int rank) {
    Member member(store, prefix, rank, 2, 20s);
    const auto group = make_shared_memory_group(member.context);
    Calls calls(20s);
    std::int64_t value = rank + 1;
    group->all_reduce(&value, &value, 1, DataType::kInt64, ReduceOp::kSum,
                      calls.next("all_reduce"));
    if (value != 3) throw std::runtime_error("wrong sum");
  });
  CHECK(errors == std::vector<std::string>(2));
  CHECK_FALSE(in_dev_shm(name));
}

TEST_CASE("shm: a member that never joins is named by the set-up's timeout, nothing is left",
          "[runtime][shm]") {
  StoreServerFixture store;
  const std::string prefix = unique_prefix("setup-timeout");
  const std::string name = segment_name(store.job_id(), prefix, 0);
  const auto errors = run_ranks(3, [&](int rank) {
    if (rank == 1) return;  // never joins
    Member member(store, prefix, rank, 3, 300ms);
    make_shared_memory_group(member.context);
  });
  for (const int rank : {0, 2}) {
    CHECK_THAT(
        errors[static_cast<std::size_t>(rank)],
        Catch::StartsWith("shared-memory set-up on rank " + std::to_string(rank) +
                          " timed out after 300 ms: rank 1 did not map the segment " + name));
  }
  CHECK_FALSE(in_dev_shm(name));
}

TEST_CASE(
    "shm: a rank that skips a collective is named by the others' timeout, through the "
    "Communicator",
    "[runtime][shm]") {
  StoreServerFixture store;
  const std::string name = "skip-" + std::to_string(::getpid());
  std::vector<std::string> first_errors(3);
  const auto errors = run_ranks(3, [&](int rank) {
    accel::Communicator comm(options_for(store, rank, 3, name, 400ms));
    std::vector<double> data(10, 1.0);
    comm.all_reduce(std::span<double>(data), ReduceOp::kSum);  // #1, everyone
    comm.barrier();                                            // #2, everyone
    if (rank == 1) return;                                     // skips #3
    try {
      comm.all_reduce(std::span<double>(data), ReduceOp::kAvg);
    } catch (const CollectiveError& error) {
      first_errors[static_cast<std::size_t>(rank)] = error.what();
    }
    comm.barrier();  // broken for good: throws at once
  });
  for (const int rank : {0, 2}) {
    const auto index = static_cast<std::size_t>(rank);
    CHECK_THAT(first_errors[index],
               Catch::StartsWith("all_reduce #3 on rank " + std::to_string(rank) +
                                 " timed out after 400 ms: rank 1 did not arrive (rank 1 is at "
                                 "collective #2)") &&
                   Catch::Contains("ACCEL_RUNTIME_TIMEOUT"));
    CHECK_THAT(errors[index], Catch::Contains("failed earlier"));
  }
  CHECK(errors[1].empty());
}

TEST_CASE("shm: the Communicator of one machine uses shared memory, large and odd sizes",
          "[runtime][shm]") {
  StoreServerFixture store;
  const std::string name = "large-" + std::to_string(::getpid());
  constexpr std::size_t kOdd = 1000003;  // more than a slot, not divisible by 3
  const auto errors = run_ranks(3, [&](int rank) {
    accel::Communicator comm(options_for(store, rank, 3, name, 60s));
    if (comm.describe() != "shared memory (3 processes)") throw std::runtime_error(comm.describe());
    std::vector<float> data(kOdd);
    for (std::size_t i = 0; i < kOdd; ++i) data[i] = static_cast<float>(input_value(rank, i));
    comm.all_reduce(std::span<float>(data), ReduceOp::kAvg);
    for (std::size_t i = 0; i < kOdd; ++i) {
      if (data[i] != static_cast<float>(expected_reduction(ReduceOp::kSum, 3, i) / 3)) {
        throw std::runtime_error("avg wrong at " + std::to_string(i));
      }
    }
    std::vector<std::int64_t> mine(kOdd, rank);
    std::vector<std::int64_t> all(3 * kOdd);
    comm.all_gather(mine.data(), all.data(), kOdd, DataType::kInt64);
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i] != static_cast<std::int64_t>(i / kOdd)) throw std::runtime_error("gather");
    }
    std::vector<std::int64_t> block(kOdd);
    comm.reduce_scatter(all.data(), block.data(), kOdd, DataType::kInt64, ReduceOp::kMax);
    for (const std::int64_t value : block) {
      if (value != rank) throw std::runtime_error("reduce_scatter");
    }
    std::vector<std::int32_t> message(kOdd, rank == 2 ? 42 : 0);
    comm.broadcast(std::span<std::int32_t>(message), 2);
    for (const std::int32_t value : message) {
      if (value != 42) throw std::runtime_error("broadcast");
    }
  });
  CHECK(errors == std::vector<std::string>(3));
}
