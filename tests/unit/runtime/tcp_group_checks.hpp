// Helpers for the tests of the multi-process groups (test_tcp_group.cpp,
// test_hierarchical_group.cpp): ranks as threads, each with its own store
// client, and a sweep of every collective, data type and size against
// results computed here. Values are small integers, exact in every type
// (bf16 included), so results compare bit for bit whatever order a group
// reduces in.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "accel/reduced_float.hpp"
#include "rendezvous/store_client.hpp"
#include "runtime/collective_group.hpp"
#include "store_server_fixture.hpp"

// A namespace of their own beside the shared-memory tests' helpers, which
// live in accel::testing too.
namespace accel::testing::group_checks {

using runtime_detail::CallInfo;
using runtime_detail::Group;
using runtime_detail::GroupContext;
using testing::run_ranks;

inline rendezvous::StoreClient connect_store(const StoreServerFixture& store) {
  const auto env = store.worker_env(0, 1);
  return rendezvous::StoreClient::connect(
      "127.0.0.1", static_cast<std::uint16_t>(std::stoi(env.at("ACCEL_STORE_PORT"))), "secret",
      store.job_id(), std::chrono::seconds(20));
}

inline GroupContext context_for(rendezvous::StoreClient& store, const std::string& prefix, int rank,
                                int world_size,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  GroupContext context;
  context.store = &store;
  context.key_prefix = prefix;
  context.job_id = "job-7";
  context.token = "secret";
  context.rank = rank;
  for (int member = 0; member < world_size; ++member) context.global_ranks.push_back(member);
  context.timeout = timeout;
  return context;
}

// Numbers the calls of one rank as the Communicator would.
class CallCounter {
 public:
  explicit CallCounter(std::chrono::milliseconds timeout = std::chrono::seconds(60))
      : timeout_(timeout) {}
  CallInfo next(const char* name) {
    CallInfo call;
    call.name = name;
    call.sequence = ++sequence_;
    call.deadline = runtime_detail::Clock::now() + timeout_;
    return call;
  }

 private:
  std::chrono::milliseconds timeout_;
  std::uint64_t sequence_ = 0;
};

// Element i of rank r: a small integer in [-3, 3].
inline std::int64_t value_of(int rank, std::size_t index) {
  return static_cast<std::int64_t>((index + 3 * static_cast<std::size_t>(rank)) % 7) - 3;
}

// `values` written as `type`.
inline std::vector<std::byte> encoded(const std::vector<std::int64_t>& values, DataType type) {
  std::vector<std::byte> bytes(values.size() * size_of(type));
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::byte* at = bytes.data() + i * size_of(type);
    const auto value = values[i];
    switch (type) {
      case DataType::kFloat32: {
        const auto v = static_cast<float>(value);
        std::memcpy(at, &v, sizeof v);
        break;
      }
      case DataType::kFloat64: {
        const auto v = static_cast<double>(value);
        std::memcpy(at, &v, sizeof v);
        break;
      }
      case DataType::kFloat16: {
        const std::uint16_t v = float_to_fp16(static_cast<float>(value));
        std::memcpy(at, &v, sizeof v);
        break;
      }
      case DataType::kBFloat16: {
        const std::uint16_t v = float_to_bf16(static_cast<float>(value));
        std::memcpy(at, &v, sizeof v);
        break;
      }
      case DataType::kInt32: {
        const auto v = static_cast<std::int32_t>(value);
        std::memcpy(at, &v, sizeof v);
        break;
      }
      case DataType::kInt64: std::memcpy(at, &value, sizeof value); break;
    }
  }
  return bytes;
}

// Rank r's input of `count` elements, starting at logical index `first`.
inline std::vector<std::int64_t> input_of(int rank, std::size_t count, std::size_t first = 0) {
  std::vector<std::int64_t> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = value_of(rank, first + i);
  return values;
}

// The reduction over ranks 0..world-1 of element index first + i.
inline std::vector<std::int64_t> reduced_of(int world, std::size_t count, ReduceOp op,
                                            std::size_t first = 0) {
  std::vector<std::int64_t> values = input_of(0, count, first);
  for (int rank = 1; rank < world; ++rank) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::int64_t v = value_of(rank, first + i);
      if (op == ReduceOp::kSum) values[i] += v;
      if (op == ReduceOp::kMin) values[i] = std::min(values[i], v);
      if (op == ReduceOp::kMax) values[i] = std::max(values[i], v);
    }
  }
  return values;
}

// Every rank's input one after the other (what all_gather returns).
inline std::vector<std::int64_t> gathered_of(int world, std::size_t count) {
  std::vector<std::int64_t> values;
  for (int rank = 0; rank < world; ++rank) {
    const auto part = input_of(rank, count);
    values.insert(values.end(), part.begin(), part.end());
  }
  return values;
}

inline void expect_equal(const std::vector<std::byte>& got, const std::vector<std::byte>& want,
                         const std::string& what) {
  if (got != want) throw std::runtime_error("wrong result: " + what);
}

inline std::string case_name(const char* op, DataType type, std::size_t count, int rank) {
  return std::string(op) + " " + std::string(name_of(type)) + " x" + std::to_string(count) +
         " on rank " + std::to_string(rank);
}

// Runs every collective of `group` on every data type and each of `counts`
// (the same sequence on every rank), with roots `roots`, and throws on the
// first wrong result.
inline void check_every_collective(Group& group, const std::vector<std::size_t>& counts,
                                   const std::vector<int>& roots) {
  const int rank = group.rank();
  const int world = group.size();
  CallCounter calls;
  for (const DataType type : {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                              DataType::kBFloat16, DataType::kInt32, DataType::kInt64}) {
    const std::size_t element = size_of(type);
    for (const std::size_t count : counts) {
      const auto mine = encoded(input_of(rank, count), type);
      for (const ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
        const auto want = encoded(reduced_of(world, count, op), type);
        std::vector<std::byte> out(mine.size());
        group.all_reduce(mine.data(), out.data(), count, type, op, calls.next("all_reduce"));
        expect_equal(out, want, case_name("all_reduce", type, count, rank));
        if (op != ReduceOp::kSum) continue;
        std::vector<std::byte> in_place = mine;
        group.all_reduce(in_place.data(), in_place.data(), count, type, op,
                         calls.next("all_reduce"));
        expect_equal(in_place, want, case_name("all_reduce in place", type, count, rank));
      }
      const auto sum = encoded(reduced_of(world, count, ReduceOp::kSum), type);
      const auto all = encoded(gathered_of(world, count), type);
      for (const int root : roots) {
        std::vector<std::byte> out(rank == root ? mine.size() : 0);
        group.reduce(mine.data(), rank == root ? out.data() : nullptr, count, type, ReduceOp::kSum,
                     root, calls.next("reduce"));
        if (rank == root) expect_equal(out, sum, case_name("reduce", type, count, rank));
        std::vector<std::byte> in_place = mine;
        group.reduce(in_place.data(), in_place.data(), count, type, ReduceOp::kMax, root,
                     calls.next("reduce"));
        if (rank == root) {
          expect_equal(in_place, encoded(reduced_of(world, count, ReduceOp::kMax), type),
                       case_name("reduce in place", type, count, rank));
        }
        std::vector<std::byte> shared = rank == root ? encoded(input_of(root, count), type)
                                                     : std::vector<std::byte>(mine.size());
        group.broadcast(shared.data(), count, type, root, calls.next("broadcast"));
        expect_equal(shared, encoded(input_of(root, count), type),
                     case_name("broadcast", type, count, rank));
        std::vector<std::byte> gathered(rank == root ? all.size() : 0);
        group.gather(mine.data(), rank == root ? gathered.data() : nullptr, count, type, root,
                     calls.next("gather"));
        if (rank == root) expect_equal(gathered, all, case_name("gather", type, count, rank));
        // In place on the root: its input is already in its slot.
        const void* gather_send = mine.data();
        if (rank == root) {
          std::byte* slot = gathered.data() + static_cast<std::size_t>(rank) * mine.size();
          std::fill(gathered.begin(), gathered.end(), std::byte{0x55});
          if (!mine.empty()) std::memcpy(slot, mine.data(), mine.size());
          gather_send = slot;
        }
        group.gather(gather_send, rank == root ? gathered.data() : nullptr, count, type, root,
                     calls.next("gather"));
        if (rank == root) {
          expect_equal(gathered, all, case_name("gather in place", type, count, rank));
        }
      }
      std::vector<std::byte> gathered(all.size());
      group.all_gather(mine.data(), gathered.data(), count, type, calls.next("all_gather"));
      expect_equal(gathered, all, case_name("all_gather", type, count, rank));
      std::vector<std::byte> in_place(all.size());
      if (!mine.empty()) {
        std::memcpy(in_place.data() + static_cast<std::size_t>(rank) * mine.size(), mine.data(),
                    mine.size());
      }
      group.all_gather(in_place.data() + static_cast<std::size_t>(rank) * mine.size(),
                       in_place.data(), count, type, calls.next("all_gather"));
      expect_equal(in_place, all, case_name("all_gather in place", type, count, rank));

      // reduce_scatter: every rank sends world * count elements; rank r
      // gets block r of the reduction.
      const std::size_t total = count * static_cast<std::size_t>(world);
      const auto send = encoded(input_of(rank, total), type);
      const auto block = encoded(
          reduced_of(world, count, ReduceOp::kSum, static_cast<std::size_t>(rank) * count), type);
      std::vector<std::byte> scattered(count * element);
      group.reduce_scatter(send.data(), scattered.data(), count, type, ReduceOp::kSum,
                           calls.next("reduce_scatter"));
      expect_equal(scattered, block, case_name("reduce_scatter", type, count, rank));
      std::vector<std::byte> scatter_in_place = send;
      std::byte* own = scatter_in_place.data() + static_cast<std::size_t>(rank) * count * element;
      group.reduce_scatter(scatter_in_place.data(), own, count, type, ReduceOp::kSum,
                           calls.next("reduce_scatter"));
      expect_equal(std::vector<std::byte>(own, own + count * element), block,
                   case_name("reduce_scatter in place", type, count, rank));
      group.barrier(calls.next("barrier"));
    }
  }
}

}  // namespace accel::testing::group_checks
