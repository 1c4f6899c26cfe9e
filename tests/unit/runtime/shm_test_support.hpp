// What the shared-memory group's tests share: members as threads, each with
// its own store connection and GroupContext, and element values that are
// exact in every data type, so results compare exactly.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "accel/reduced_float.hpp"
#include "rendezvous/store_client.hpp"
#include "runtime/collective_group.hpp"
#include "store_server_fixture.hpp"

namespace accel::testing {

inline constexpr DataType kAllTypes[] = {DataType::kFloat32, DataType::kFloat64,
                                         DataType::kFloat16, DataType::kBFloat16,
                                         DataType::kInt32,   DataType::kInt64};

inline void put_value(void* buffer, std::size_t index, DataType type, double value) {
  auto* bytes = static_cast<char*>(buffer) + index * size_of(type);
  const auto store = [&](auto typed) { std::memcpy(bytes, &typed, sizeof typed); };
  switch (type) {
    case DataType::kFloat32: store(static_cast<float>(value)); break;
    case DataType::kFloat64: store(value); break;
    case DataType::kFloat16: store(float_to_fp16(static_cast<float>(value))); break;
    case DataType::kBFloat16: store(float_to_bf16(static_cast<float>(value))); break;
    case DataType::kInt32: store(static_cast<std::int32_t>(value)); break;
    case DataType::kInt64: store(static_cast<std::int64_t>(value)); break;
  }
}

inline double get_value(const void* buffer, std::size_t index, DataType type) {
  const auto* bytes = static_cast<const char*>(buffer) + index * size_of(type);
  const auto load = [&](auto typed) {
    std::memcpy(&typed, bytes, sizeof typed);
    return typed;
  };
  switch (type) {
    case DataType::kFloat32: return load(float{});
    case DataType::kFloat64: return load(double{});
    case DataType::kFloat16: return fp16_to_float(load(std::uint16_t{}));
    case DataType::kBFloat16: return bf16_to_float(load(std::uint16_t{}));
    case DataType::kInt32: return load(std::int32_t{});
    case DataType::kInt64: return static_cast<double>(load(std::int64_t{}));
  }
  return 0;
}

// Rank `rank`'s element `index`: small integers, so every sum over up to 8
// ranks is exact even in bf16 (8 significant bits).
inline double input_value(int rank, std::size_t index) {
  return static_cast<double>(rank + 1) + static_cast<double>(index % 5);
}

inline double expected_reduction(ReduceOp op, int world, std::size_t index) {
  const double offset = static_cast<double>(index % 5);
  switch (op) {
    case ReduceOp::kMin: return 1 + offset;
    case ReduceOp::kMax: return world + offset;
    default: return world * (world + 1) / 2.0 + world * offset;
  }
}

// A store prefix no other group of this process or any other test process
// uses (test cases run in parallel processes under ctest).
inline std::string unique_prefix(const std::string& what) {
  static std::atomic<int> counter{0};
  return "test/" + what + "/" + std::to_string(::getpid()) + "/" + std::to_string(++counter) + "/";
}

// One thread's member: its own store connection and context.
struct Member {
  rendezvous::StoreClient store;
  runtime_detail::GroupContext context;

  Member(const StoreServerFixture& fixture, const std::string& prefix, int rank, int world,
         std::chrono::milliseconds timeout)
      : store(rendezvous::StoreClient::connect(
            "127.0.0.1",
            static_cast<std::uint16_t>(std::stoi(fixture.worker_env(0, 1).at("ACCEL_STORE_PORT"))),
            "secret", fixture.job_id(), std::chrono::seconds(20))) {
    context.store = &store;
    context.key_prefix = prefix;
    context.job_id = fixture.job_id();
    context.rank = rank;
    for (int member = 0; member < world; ++member) context.global_ranks.push_back(member);
    context.timeout = timeout;
  }
};

// Numbers calls and gives each its deadline, as the Communicator does.
class Calls {
 public:
  explicit Calls(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  runtime_detail::CallInfo next(const char* name) {
    runtime_detail::CallInfo call;
    call.name = name;
    call.sequence = ++sequence_;
    call.deadline = runtime_detail::Clock::now() + timeout_;
    return call;
  }

 private:
  std::chrono::milliseconds timeout_;
  std::uint64_t sequence_ = 0;
};

}  // namespace accel::testing
