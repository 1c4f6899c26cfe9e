// A native worker for test_collectives.py: runs the collectives through the
// real launcher and checks every result against exact expected values
// (rank r's element i is r + 1 + i % 5, so every sum is exact, even in bf16).
//
//   collective_worker check            every op, type and in-place form on
//                                      sizes 0, 1 and 1001; 1000003 (odd,
//                                      above a slot) in fp32 and bf16
//   collective_worker big              64 MiB buffers, fp32
//   collective_worker kill RANK        RANK SIGKILLs itself in the middle of
//                                      a stream of large all_reduces
//   collective_worker skip RANK        RANK never calls the all_reduce the
//                                      others wait in (it sleeps instead)
// Rank 0 prints "collective_worker: segment NAME" (the /dev/shm name the
// test checks is gone) and, when every check held, "collective_worker:
// every check passed on WORLD_SIZE=N". A failure prints
// "collective_worker rank R: ..." on stderr and exits 1.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "accel/collectives.hpp"
#include "accel/reduced_float.hpp"
#include "runtime/shm_segment.hpp"

namespace {

using accel::Communicator;
using accel::DataType;
using accel::ReduceOp;
using Buffer = std::vector<char>;

constexpr DataType kAllTypes[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                                  DataType::kBFloat16, DataType::kInt32,   DataType::kInt64};

void put_value(void* buffer, std::size_t index, DataType type, double value) {
  auto* bytes = static_cast<char*>(buffer) + index * accel::size_of(type);
  const auto store = [&](auto typed) { std::memcpy(bytes, &typed, sizeof typed); };
  switch (type) {
    case DataType::kFloat32: store(static_cast<float>(value)); break;
    case DataType::kFloat64: store(value); break;
    case DataType::kFloat16: store(accel::float_to_fp16(static_cast<float>(value))); break;
    case DataType::kBFloat16: store(accel::float_to_bf16(static_cast<float>(value))); break;
    case DataType::kInt32: store(static_cast<std::int32_t>(value)); break;
    case DataType::kInt64: store(static_cast<std::int64_t>(value)); break;
  }
}

double get_value(const void* buffer, std::size_t index, DataType type) {
  const auto* bytes = static_cast<const char*>(buffer) + index * accel::size_of(type);
  const auto load = [&](auto typed) {
    std::memcpy(&typed, bytes, sizeof typed);
    return typed;
  };
  switch (type) {
    case DataType::kFloat32: return load(float{});
    case DataType::kFloat64: return load(double{});
    case DataType::kFloat16: return accel::fp16_to_float(load(std::uint16_t{}));
    case DataType::kBFloat16: return accel::bf16_to_float(load(std::uint16_t{}));
    case DataType::kInt32: return load(std::int32_t{});
    case DataType::kInt64: return static_cast<double>(load(std::int64_t{}));
  }
  return 0;
}

bool is_integer(DataType type) {
  return type == DataType::kInt32 || type == DataType::kInt64;
}

double input_value(int rank, std::size_t index) {
  return rank + 1.0 + static_cast<double>(index % 5);
}

double expected(ReduceOp op, int world, std::size_t index, DataType type) {
  const double offset = static_cast<double>(index % 5);
  const double sum = world * (world + 1) / 2.0 + world * offset;
  switch (op) {
    case ReduceOp::kMin: return 1 + offset;
    case ReduceOp::kMax: return world + offset;
    case ReduceOp::kAvg: return is_integer(type) ? std::trunc(sum / world) : sum / world;
    case ReduceOp::kSum: break;
  }
  return sum;
}

Buffer filled(std::size_t count, DataType type, const std::function<double(std::size_t)>& fill) {
  Buffer buffer(std::max<std::size_t>(1, count * accel::size_of(type)));
  for (std::size_t i = 0; i < count; ++i) put_value(buffer.data(), i, type, fill(i));
  return buffer;
}

Buffer garbage(std::size_t count, DataType type) {
  return filled(count, type, [](std::size_t) { return 99.0; });
}

// Averages of floats are rounded once in their type; the rest is exact.
void expect(const void* buffer, std::size_t count, DataType type,
            const std::function<double(std::size_t)>& want, const std::string& what,
            bool rounded = false) {
  for (std::size_t i = 0; i < count; ++i) {
    const double got = get_value(buffer, i, type);
    const double wanted = want(i);
    const bool close = rounded ? std::abs(got - wanted) <= 0.01 * std::abs(wanted) : got == wanted;
    if (!close) {
      throw std::runtime_error(what + " of " + std::to_string(count) + " " +
                               std::string(accel::name_of(type)) + ": element " +
                               std::to_string(i) + " is " + std::to_string(got) + ", expected " +
                               std::to_string(wanted));
    }
  }
}

void check_every_op(Communicator& comm, DataType type, std::size_t count) {
  const int rank = comm.rank();
  const int world = comm.size();
  const std::size_t element = accel::size_of(type);
  const auto own = [&](std::size_t i) { return input_value(rank, i); };
  const Buffer input = filled(count, type, own);
  for (const ReduceOp op : {ReduceOp::kSum, ReduceOp::kAvg, ReduceOp::kMin, ReduceOp::kMax}) {
    Buffer recv = garbage(count, type);
    comm.all_reduce(input.data(), recv.data(), count, type, op);
    expect(
        recv.data(), count, type, [&](std::size_t i) { return expected(op, world, i, type); },
        "all_reduce " + std::string(accel::name_of(op)), op == ReduceOp::kAvg && !is_integer(type));
  }
  Buffer in_place = input;
  comm.all_reduce(in_place.data(), in_place.data(), count, type, ReduceOp::kSum);
  expect(
      in_place.data(), count, type,
      [&](std::size_t i) { return expected(ReduceOp::kSum, world, i, type); },
      "all_reduce in place");

  const int root = world - 1;
  Buffer reduced = garbage(count, type);
  comm.reduce(input.data(), rank == root ? reduced.data() : nullptr, count, type, ReduceOp::kMax,
              root);
  if (rank == root) {
    expect(
        reduced.data(), count, type,
        [&](std::size_t i) { return expected(ReduceOp::kMax, world, i, type); }, "reduce");
  }
  Buffer message = input;
  comm.broadcast(message.data(), count, type, world / 2);
  expect(
      message.data(), count, type, [&](std::size_t i) { return input_value(world / 2, i); },
      "broadcast");

  const std::size_t total = count * static_cast<std::size_t>(world);
  const auto gathered = [&](std::size_t j) {
    return input_value(static_cast<int>(j / count), j % count);
  };
  Buffer all = garbage(total, type);
  comm.all_gather(input.data(), all.data(), count, type);
  expect(all.data(), total, type, gathered, "all_gather");
  Buffer all_in_place = garbage(total, type);
  char* own_block = all_in_place.data() + static_cast<std::size_t>(rank) * count * element;
  std::memcpy(own_block, input.data(), count * element);
  comm.all_gather(own_block, all_in_place.data(), count, type);
  expect(all_in_place.data(), total, type, gathered, "all_gather in place");
  Buffer at_root = garbage(total, type);
  comm.gather(input.data(), rank == 0 ? at_root.data() : nullptr, count, type, 0);
  if (rank == 0) expect(at_root.data(), total, type, gathered, "gather");

  const Buffer send = filled(total, type, own);
  const auto block_sum = [&](std::size_t i) {
    return expected(ReduceOp::kSum, world, static_cast<std::size_t>(rank) * count + i, type);
  };
  Buffer block = garbage(count, type);
  comm.reduce_scatter(send.data(), block.data(), count, type, ReduceOp::kSum);
  expect(block.data(), count, type, block_sum, "reduce_scatter");
  Buffer scattered_in_place = send;
  char* own_recv = scattered_in_place.data() + static_cast<std::size_t>(rank) * count * element;
  comm.reduce_scatter(scattered_in_place.data(), own_recv, count, type, ReduceOp::kSum);
  expect(own_recv, count, type, block_sum, "reduce_scatter in place");
  comm.barrier();
}

// 64 MiB buffers: far more than a slot, so many pipelined rounds.
void check_big(Communicator& comm) {
  constexpr std::size_t kBytes = std::size_t{64} << 20U;
  constexpr DataType kType = DataType::kFloat32;
  const std::size_t count = kBytes / sizeof(float);
  const int world = comm.size();
  const int rank = comm.rank();
  Buffer data = filled(count, kType, [&](std::size_t i) { return input_value(rank, i); });
  comm.all_reduce(data.data(), data.data(), count, kType, ReduceOp::kSum);
  expect(
      data.data(), count, kType,
      [&](std::size_t i) { return expected(ReduceOp::kSum, world, i, kType); },
      "64 MiB all_reduce");
  comm.broadcast(data.data(), count, kType, 0);
  const std::size_t per_rank = count / static_cast<std::size_t>(world);
  Buffer block = garbage(per_rank, kType);
  Buffer send =
      filled(per_rank * world, kType, [&](std::size_t i) { return input_value(rank, i); });
  comm.reduce_scatter(send.data(), block.data(), per_rank, kType, ReduceOp::kSum);
  expect(
      block.data(), per_rank, kType,
      [&](std::size_t i) {
        return expected(ReduceOp::kSum, world, static_cast<std::size_t>(rank) * per_rank + i,
                        kType);
      },
      "64 MiB reduce_scatter");
  Buffer all = garbage(per_rank * world, kType);
  comm.all_gather(block.data(), all.data(), per_rank, kType);
  expect(
      all.data(), per_rank * world, kType,
      [&](std::size_t j) { return expected(ReduceOp::kSum, world, j, kType); },
      "64 MiB all_gather");
}

// The victim dies by SIGKILL from a second thread while its main thread is
// inside a collective; the others must fail naming it. They ignore the
// launcher's SIGTERM so that they live to report it (as a worker with its
// own SIGTERM handler would).
void kill_in_the_middle(Communicator& comm, int victim) {
  if (comm.rank() == victim) {
    std::thread([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      ::kill(::getpid(), SIGKILL);
    }).detach();
  } else {
    ::signal(SIGTERM, SIG_IGN);
  }
  std::vector<float> data(std::size_t{4} << 20U, 1.0F);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    comm.all_reduce(std::span<float>(data), ReduceOp::kMax);
  }
  throw std::runtime_error("rank " + std::to_string(victim) + " was not seen dying");
}

void skip_a_collective(Communicator& comm, int absent) {
  comm.barrier();
  if (comm.rank() == absent) {
    std::this_thread::sleep_for(std::chrono::seconds(60));  // stopped by the launcher first
    return;
  }
  std::vector<double> data(1000, 1.0);
  comm.all_reduce(std::span<double>(data), ReduceOp::kSum);
}

int env_int(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!(mode == "check" || mode == "big" || ((mode == "kill" || mode == "skip") && argc == 3))) {
    std::cerr << "usage: collective_worker check|big|kill RANK|skip RANK\n";
    return 2;
  }
  try {
    Communicator comm;
    if (comm.rank() == 0 && std::getenv("ACCEL_JOB_ID") != nullptr) {
      std::cout << "collective_worker: segment "
                << accel::runtime_detail::segment_name(std::getenv("ACCEL_JOB_ID"),
                                                       "accel/comm/attempt0/world/", 0)
                << std::endl;
    }
    if (mode == "check") {
      for (const DataType type : kAllTypes) {
        for (const std::size_t count : {0UL, 1UL, 1001UL}) check_every_op(comm, type, count);
      }
      // Odd and above a slot (many rounds), in a 4-byte and a 2-byte type.
      check_every_op(comm, DataType::kFloat32, 1000003);
      check_every_op(comm, DataType::kBFloat16, 1000003);
    } else if (mode == "big") {
      check_big(comm);
    } else if (mode == "kill") {
      kill_in_the_middle(comm, std::atoi(argv[2]));
    } else {
      skip_a_collective(comm, std::atoi(argv[2]));
    }
    comm.barrier();
    if (comm.rank() == 0) {
      std::cout << "collective_worker: every check passed on WORLD_SIZE=" << comm.size()
                << std::endl;
    }
  } catch (const std::exception& error) {
    std::cerr << "collective_worker rank " << env_int("RANK") << ": " << error.what() << std::endl;
    return 1;
  }
  return 0;
}
