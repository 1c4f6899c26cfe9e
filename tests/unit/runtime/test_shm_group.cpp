// The shared-memory group (runtime/shm_group.hpp) with threads as members:
// every op and data type on 1, 2, 3, 4 and 8 members, sizes 0, 1, odd and
// larger than a slot (small slots here, so rounds are many), in place and
// out of place, against exact expected values.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "runtime/shm_group.hpp"
#include "shm_test_support.hpp"

using accel::DataType;
using accel::ReduceOp;
using accel::runtime_detail::Group;
using accel::runtime_detail::make_shared_memory_group;
using accel::runtime_detail::ShmOptions;
using namespace accel::testing;
using namespace std::chrono_literals;

namespace {

using Buffer = std::vector<char>;

Buffer buffer_of(std::size_t count, DataType type, const std::function<double(std::size_t)>& fill) {
  Buffer buffer(std::max<std::size_t>(1, count * accel::size_of(type)));
  for (std::size_t i = 0; i < count; ++i) put_value(buffer.data(), i, type, fill(i));
  return buffer;
}

Buffer garbage(std::size_t count, DataType type) {
  return buffer_of(count, type, [](std::size_t) { return 99.0; });
}

void expect_values(const void* buffer, std::size_t count, DataType type,
                   const std::function<double(std::size_t)>& expected, const std::string& what) {
  for (std::size_t i = 0; i < count; ++i) {
    const double got = get_value(buffer, i, type);
    if (got != expected(i)) {
      throw std::runtime_error(what + " " + std::string(accel::name_of(type)) + " count " +
                               std::to_string(count) + ": element " + std::to_string(i) + " is " +
                               std::to_string(got) + ", expected " + std::to_string(expected(i)));
    }
  }
}

// Every op once on `count` elements of `type`, checked on this rank.
void check_every_op(Group& group, Calls& calls, DataType type, std::size_t count) {
  const int rank = group.rank();
  const int world = group.size();
  const std::size_t element = accel::size_of(type);
  const auto own = [&](std::size_t i) { return input_value(rank, i); };
  const Buffer input = buffer_of(count, type, own);

  for (const ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
    Buffer recv = garbage(count, type);
    group.all_reduce(input.data(), recv.data(), count, type, op, calls.next("all_reduce"));
    expect_values(
        recv.data(), count, type, [&](std::size_t i) { return expected_reduction(op, world, i); },
        "all_reduce " + std::string(accel::name_of(op)));
  }
  {
    Buffer buffer = input;
    group.all_reduce(buffer.data(), buffer.data(), count, type, ReduceOp::kSum,
                     calls.next("all_reduce"));
    expect_values(
        buffer.data(), count, type,
        [&](std::size_t i) { return expected_reduction(ReduceOp::kSum, world, i); },
        "all_reduce in place");
  }
  {
    const int root = world - 1;
    Buffer recv = garbage(count, type);
    group.reduce(input.data(), rank == root ? recv.data() : nullptr, count, type, ReduceOp::kSum,
                 root, calls.next("reduce"));
    if (rank == root) {
      expect_values(
          recv.data(), count, type,
          [&](std::size_t i) { return expected_reduction(ReduceOp::kSum, world, i); }, "reduce");
    }
    Buffer buffer = input;
    group.reduce(buffer.data(), buffer.data(), count, type, ReduceOp::kMax, 0,
                 calls.next("reduce"));
    if (rank == 0) {
      expect_values(
          buffer.data(), count, type,
          [&](std::size_t i) { return expected_reduction(ReduceOp::kMax, world, i); },
          "reduce in place");
    }
  }
  {
    const int root = 1 % world;
    Buffer buffer = input;
    group.broadcast(buffer.data(), count, type, root, calls.next("broadcast"));
    expect_values(
        buffer.data(), count, type, [&](std::size_t i) { return input_value(root, i); },
        "broadcast");
  }
  const auto gathered = [&](std::size_t j) { return input_value(int(j / count), j % count); };
  const std::size_t total = count * static_cast<std::size_t>(world);
  {
    Buffer recv = garbage(total, type);
    group.all_gather(input.data(), recv.data(), count, type, calls.next("all_gather"));
    expect_values(recv.data(), total, type, gathered, "all_gather");
    Buffer in_place = garbage(total, type);
    char* own_block = in_place.data() + static_cast<std::size_t>(rank) * count * element;
    std::copy_n(input.data(), count * element, own_block);
    group.all_gather(own_block, in_place.data(), count, type, calls.next("all_gather"));
    expect_values(in_place.data(), total, type, gathered, "all_gather in place");
  }
  {
    const int root = world / 2;
    Buffer recv = garbage(total, type);
    group.gather(input.data(), rank == root ? recv.data() : nullptr, count, type, root,
                 calls.next("gather"));
    if (rank == root) expect_values(recv.data(), total, type, gathered, "gather");
  }
  {
    // Element j of every rank's send buffer; rank r receives block r.
    const Buffer send = buffer_of(total, type, own);
    const auto block_sum = [&](std::size_t i) {
      return expected_reduction(ReduceOp::kSum, world, static_cast<std::size_t>(rank) * count + i);
    };
    Buffer recv = garbage(count, type);
    group.reduce_scatter(send.data(), recv.data(), count, type, ReduceOp::kSum,
                         calls.next("reduce_scatter"));
    expect_values(recv.data(), count, type, block_sum, "reduce_scatter");
    Buffer in_place = send;
    char* own_block = in_place.data() + static_cast<std::size_t>(rank) * count * element;
    group.reduce_scatter(in_place.data(), own_block, count, type, ReduceOp::kSum,
                         calls.next("reduce_scatter"));
    expect_values(own_block, count, type, block_sum, "reduce_scatter in place");
  }
  group.barrier(calls.next("barrier"));
}

// Small slots (2 KiB rounds) and a small direct limit, so both all_reduce
// paths and many rounds run on small buffers.
void check_world(int world) {
  StoreServerFixture store;
  const std::string prefix = unique_prefix("every-op");
  ShmOptions options;
  options.slot_bytes = 4096;
  options.direct_reduce_bytes = 512;
  const auto errors = run_ranks(world, [&](int rank) {
    Member member(store, prefix, rank, world, 60s);
    const auto group = make_shared_memory_group(member.context, options);
    if (group->rank() != rank || group->size() != world) throw std::logic_error("rank/size");
    Calls calls(60s);
    for (const DataType type : kAllTypes) {
      for (const std::size_t count : {0UL, 1UL, 7UL, 100UL, 1001UL, 3001UL}) {
        check_every_op(*group, calls, type, count);
      }
    }
  });
  CHECK(errors == std::vector<std::string>(static_cast<std::size_t>(world)));
}

}  // namespace

TEST_CASE("shm group: every op and type on one member", "[runtime][shm]") {
  check_world(1);
}
TEST_CASE("shm group: every op and type on two members", "[runtime][shm]") {
  check_world(2);
}
TEST_CASE("shm group: every op and type on three members", "[runtime][shm]") {
  check_world(3);
}
TEST_CASE("shm group: every op and type on four members", "[runtime][shm]") {
  check_world(4);
}
TEST_CASE("shm group: every op and type on eight members", "[runtime][shm]") {
  check_world(8);
}
