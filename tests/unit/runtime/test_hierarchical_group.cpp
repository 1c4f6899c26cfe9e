// The hierarchical group (runtime/hierarchical_group.hpp) composed of TCP
// groups at both levels, ranks as threads: 2 machines of 2 and 3 of 2,
// every collective with roots on every machine and local position.
#include <catch2/catch.hpp>
#include <thread>

#include "runtime/group_factory.hpp"
#include "runtime/hierarchical_group.hpp"
#include "tcp_group_checks.hpp"

using accel::DataType;
using accel::ReduceOp;
using accel::runtime_detail::make_hierarchical_group_of;
using accel::runtime_detail::make_tcp_group;
using namespace accel::testing::group_checks;
using accel::testing::StoreServerFixture;
using namespace std::chrono_literals;

TEST_CASE("hierarchical group: every collective on 2x2 and 3x2 processes",
          "[runtime][hierarchical]") {
  StoreServerFixture store;
  for (const int machines : {2, 3}) {
    constexpr int kPerMachine = 2;
    const int world = machines * kPerMachine;
    INFO(machines << " machines of " << kPerMachine);
    std::vector<int> roots;
    for (int root = 0; root < world; ++root) roots.push_back(root);
    const auto errors = run_ranks(world, [&](int rank) {
      auto client = connect_store(store);
      const auto group = make_hierarchical_group_of(
          context_for(client, "h" + std::to_string(machines) + "/", rank, world), kPerMachine,
          make_tcp_group, make_tcp_group);
      if (group->rank() != rank || group->size() != world) throw std::logic_error("rank/size");
      check_every_collective(*group, {0, 1, 5, 30'001}, roots);
      const std::string description = group->describe();
      if (description.find(std::to_string(machines) + " machines") == std::string::npos) {
        throw std::logic_error("describe: " + description);
      }
    });
    CHECK(errors == std::vector<std::string>(static_cast<std::size_t>(world)));
  }
}

TEST_CASE("hierarchical group: shared memory within each machine, as the factory builds it",
          "[runtime][hierarchical]") {
  StoreServerFixture store;
  constexpr int kMachines = 2;
  constexpr int kPerMachine = 2;
  constexpr int kWorld = kMachines * kPerMachine;
  const auto errors = run_ranks(kWorld, [&](int rank) {
    auto client = connect_store(store);
    const auto group = accel::runtime_detail::make_hierarchical_group(
        context_for(client, "hshm/", rank, kWorld), kPerMachine);
    check_every_collective(*group, {0, 3, 70'001}, {0, 3});
    if (group->describe().find("shared memory") == std::string::npos) {
      throw std::logic_error("describe: " + group->describe());
    }
  });
  CHECK(errors == std::vector<std::string>(kWorld));
}

TEST_CASE("hierarchical group: a process that goes away fails the other machines promptly",
          "[runtime][hierarchical]") {
  StoreServerFixture store;
  const auto started = std::chrono::steady_clock::now();
  const auto errors = run_ranks(4, [&](int rank) {
    auto client = connect_store(store);
    auto group = make_hierarchical_group_of(context_for(client, "hgone/", rank, 4), 2,
                                            make_tcp_group, make_tcp_group);
    CallCounter calls(60s);
    group->barrier(calls.next("barrier"));
    if (rank == 3) {
      std::this_thread::sleep_for(100ms);
      group.reset();
      return;
    }
    std::vector<double> data(100, 1.0);
    group->all_reduce(data.data(), data.data(), data.size(), DataType::kFloat64, ReduceOp::kSum,
                      calls.next("all_reduce"));
  });
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  // Rank 2 (rank 3's leader) sees rank 3 go; the other machine sees its
  // leader go.
  CHECK_THAT(errors[2], Catch::StartsWith("rank 3 disconnected during all_reduce #2 on rank 2"));
  CHECK_THAT(errors[0], Catch::Contains("disconnected during all_reduce #2 on rank 0"));
  CHECK_THAT(errors[1], Catch::Contains("disconnected during all_reduce #2 on rank 1"));
}

TEST_CASE("hierarchical group: machines of unequal size are refused", "[runtime][hierarchical]") {
  accel::runtime_detail::GroupContext context;
  context.global_ranks = {0, 1, 2};
  CHECK_THROWS_WITH(make_hierarchical_group_of(context, 2, make_tcp_group, make_tcp_group),
                    Catch::Contains("3 processes do not split into machines of 2"));
}
