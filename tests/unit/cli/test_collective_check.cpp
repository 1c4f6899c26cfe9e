#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "cli/collective_check.hpp"

using accel::Communicator;
using accel::CommunicatorOptions;
using accel::DataType;
using accel::ReduceOp;
using namespace accel::cli;

namespace {

// A world of one whatever the test process's environment holds.
Communicator world_of_one() {
  CommunicatorOptions options;
  options.env = [](std::string_view) { return std::optional<std::string>(); };
  return Communicator(options);
}

constexpr DataType kTypes[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                               DataType::kBFloat16, DataType::kInt32,   DataType::kInt64};

}  // namespace

TEST_CASE("collectives are named as torch names them", "[collective_check]") {
  CHECK(name_of(Collective::kReduceScatter) == "reduce_scatter");
  CHECK(collective_named("all_gather") == Collective::kAllGather);
  CHECK_FALSE(collective_named("allreduce").has_value());
  CHECK(reduces(Collective::kReduce));
  CHECK_FALSE(reduces(Collective::kBroadcast));
  CHECK(has_root(Collective::kGather));
  CHECK_FALSE(has_root(Collective::kAllGather));
}

TEST_CASE("a case describes itself for failure messages", "[collective_check]") {
  CollectiveCase c{Collective::kAllReduce, DataType::kFloat16, ReduceOp::kAvg, 7, 0, false};
  CHECK(c.describe() == "all_reduce float16 avg, 7 elements, out of place");
  c = {Collective::kGather, DataType::kInt64, ReduceOp::kSum, 1, 3, true};
  CHECK(c.describe() == "gather int64, 1 element, root 3, in place");
  c = {Collective::kBroadcast, DataType::kFloat32, ReduceOp::kSum, 0, 1, true};
  CHECK(c.describe() == "broadcast float32, 0 elements, root 1");
}

TEST_CASE("every collective, type and op checks out in a world of one", "[collective_check]") {
  Communicator communicator = world_of_one();
  for (Collective collective :
       {Collective::kAllReduce, Collective::kReduce, Collective::kBroadcast, Collective::kAllGather,
        Collective::kGather, Collective::kReduceScatter}) {
    for (DataType type : kTypes) {
      for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kAvg, ReduceOp::kMin, ReduceOp::kMax}) {
        for (std::size_t count : {0, 1, 7, 12345}) {
          for (bool in_place : {false, true}) {
            const CollectiveCase c{collective, type, op, count, 0, in_place};
            INFO(c.describe());
            const CheckResult result = run_check(communicator, c);
            CHECK(result.wrong == 0);
          }
        }
      }
    }
  }
}

TEST_CASE("a call that writes nothing is counted wrong, element by element", "[collective_check]") {
  // Prepared but never run: the output still holds the poison.
  for (DataType type : kTypes) {
    CollectiveCheck check({Collective::kAllReduce, type, ReduceOp::kSum, 100, 0, false}, 0, 1);
    check.prepare();
    const CheckResult result = check.check();
    CHECK(result.wrong == 100);
    REQUIRE(result.first.has_value());
    CHECK(result.first->buffer == "output");
    CHECK(result.first->index == 0);
    CHECK(result.first->got == 99);
  }
}

TEST_CASE("what one rank expects follows from every rank's inputs", "[collective_check]") {
  Communicator communicator = world_of_one();
  CollectiveCheck gathered({Collective::kAllGather, DataType::kInt32, ReduceOp::kSum, 11, 0, false},
                           0, 1);
  gathered.prepare();
  gathered.run(communicator);
  CHECK(gathered.check().wrong == 0);

  // Sums of 3 ranks are not what one rank holds.
  CollectiveCheck summed({Collective::kAllReduce, DataType::kInt32, ReduceOp::kSum, 11, 0, false},
                         0, 3);
  summed.prepare();
  summed.run(communicator);  // a world of one copies its input
  const CheckResult result = summed.check();
  CHECK(result.wrong > 0);
  CHECK(result.wrong <= 11);
}
