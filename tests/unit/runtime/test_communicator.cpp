// The Communicator's own rules, on a world of one (no launcher): argument
// checks, avg, type names. The multi-process groups have their own tests.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "accel/collectives.hpp"

using accel::Communicator;
using accel::CommunicatorOptions;
using accel::DataType;
using accel::ReduceOp;

namespace {

CommunicatorOptions alone() {
  CommunicatorOptions options;
  options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  return options;
}

}  // namespace

TEST_CASE("communicator: a world of one copies, in place and out of place", "[runtime][comm]") {
  Communicator comm(alone());
  CHECK(comm.rank() == 0);
  CHECK(comm.size() == 1);
  std::vector<float> in{1.0F, 2.0F, 3.0F};
  std::vector<float> out(3);
  comm.all_reduce(in.data(), out.data(), 3, DataType::kFloat32, ReduceOp::kAvg);
  CHECK(out == in);
  comm.all_reduce(std::span<float>(in), ReduceOp::kSum);
  CHECK(in == std::vector<float>{1.0F, 2.0F, 3.0F});
  CHECK(comm.all_gather(std::span<const float>(in)) == in);
  comm.reduce_scatter(in.data(), out.data(), 3, DataType::kFloat32, ReduceOp::kMax);
  CHECK(out == in);
  comm.gather(in.data(), in.data(), 3, DataType::kFloat32, 0);
  comm.broadcast(std::span<float>(in), 0);
  comm.barrier();
  comm.all_reduce(nullptr, nullptr, 0, DataType::kBFloat16, ReduceOp::kSum);
  CHECK(comm.describe().find("self") != std::string::npos);
}

TEST_CASE("communicator: arguments that cannot be right are refused before communicating",
          "[runtime][comm]") {
  Communicator comm(alone());
  std::vector<std::int32_t> buffer(8);
  CHECK_THROWS_WITH(comm.broadcast(buffer.data(), 8, DataType::kInt32, 1),
                    Catch::Contains("root 1 is not a rank of this job (0..0)"));
  CHECK_THROWS_WITH(comm.all_reduce(nullptr, buffer.data(), 8, DataType::kInt32, ReduceOp::kSum),
                    Catch::Contains("null buffer"));
  CHECK_THROWS_WITH(
      comm.all_reduce(buffer.data(), buffer.data() + 1, 4, DataType::kInt32, ReduceOp::kSum),
      Catch::Contains("overlap"));
  // Still usable: refusals do not break the communicator.
  comm.all_reduce(std::span<std::int32_t>(buffer), ReduceOp::kSum);
}

TEST_CASE("data types and ops: sizes and names both ways", "[runtime][comm]") {
  CHECK(accel::size_of(DataType::kBFloat16) == 2);
  CHECK(accel::size_of(DataType::kInt64) == 8);
  CHECK(accel::name_of(DataType::kFloat16) == "float16");
  CHECK(accel::data_type_named("BF16") == DataType::kBFloat16);
  CHECK(accel::data_type_named("double") == DataType::kFloat64);
  CHECK_FALSE(accel::data_type_named("complex64"));
  CHECK(accel::reduce_op_named("max") == ReduceOp::kMax);
  CHECK(accel::reduce_op_named("mean") == ReduceOp::kAvg);
  CHECK_FALSE(accel::reduce_op_named("prod"));
}
