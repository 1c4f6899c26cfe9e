// A native worker for test_collectives_machines.py: under two `accel
// launch` processes on loopback (two "machines"), every rank runs the
// collectives through the hierarchical group (shared memory within the
// machine, TCP between the machines) on values whose results it knows, and
// exits 0 only when all were right.
//
//   machines_collectives_worker DIR [kill R]
// Each rank writes DIR/ok<rank> when every check held; rank 0 writes the
// communicator's description to DIR/describe. With "kill R", rank R kills
// itself (SIGKILL) just before a large all_reduce, for the failure test.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "accel/reduced_float.hpp"

namespace {

using accel::DataType;
using accel::ReduceOp;

void expect(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error("wrong result: " + what);
}

void run(const std::filesystem::path& dir, int kill_rank) {
  accel::Communicator comm;
  const int rank = comm.rank();
  const int world = comm.size();
  const auto W = static_cast<std::size_t>(world);
  if (rank == 0) std::ofstream(dir / "describe") << comm.describe() << "\n";

  // all_reduce sum, fp32, an odd count: element i of rank r is (r + 1) * (i % 3 + 1).
  std::vector<float> values(1001);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>((rank + 1) * static_cast<int>(i % 3 + 1));
  }
  comm.all_reduce(std::span<float>(values), ReduceOp::kSum);
  const int triangle = world * (world + 1) / 2;
  for (std::size_t i = 0; i < values.size(); ++i) {
    expect(values[i] == static_cast<float>(triangle * static_cast<int>(i % 3 + 1)),
           "all_reduce fp32 sum at " + std::to_string(i));
  }

  // avg of fp64, max of int64, sum of bf16.
  std::vector<double> averaged{static_cast<double>(rank), 2.0 * rank};
  comm.all_reduce(std::span<double>(averaged), ReduceOp::kAvg);
  expect(averaged[0] == (world - 1) / 2.0 && averaged[1] == world - 1.0, "all_reduce fp64 avg");
  std::vector<std::int64_t> largest{rank * 1000LL, -rank * 1000LL};
  comm.all_reduce(std::span<std::int64_t>(largest), ReduceOp::kMax);
  expect(largest[0] == (world - 1) * 1000LL && largest[1] == 0, "all_reduce int64 max");
  std::vector<std::uint16_t> halves(5, accel::float_to_bf16(static_cast<float>(rank + 1)));
  comm.all_reduce(halves.data(), halves.data(), halves.size(), DataType::kBFloat16, ReduceOp::kSum);
  for (const std::uint16_t half : halves) {
    expect(accel::bf16_to_float(half) == static_cast<float>(triangle), "all_reduce bf16 sum");
  }

  // all_gather: rank r contributes r * 10 + j.
  std::vector<std::int32_t> mine{rank * 10, rank * 10 + 1, rank * 10 + 2};
  const std::vector<std::int32_t> everyone = comm.all_gather(std::span<const std::int32_t>(mine));
  for (std::size_t r = 0; r < W; ++r) {
    for (std::size_t j = 0; j < 3; ++j) {
      expect(everyone[r * 3 + j] == static_cast<std::int32_t>(r * 10 + j), "all_gather");
    }
  }

  // broadcast from every rank, on either machine and either local position.
  for (int root = 0; root < world; ++root) {
    std::vector<double> shared(7, rank == root ? root * 7.0 : -1.0);
    comm.broadcast(std::span<double>(shared), root);
    for (const double value : shared)
      expect(value == root * 7.0, "broadcast from " + std::to_string(root));
  }

  // reduce_scatter: rank r gets the sum of every rank's block r.
  std::vector<std::int64_t> blocks(2 * W);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    blocks[i] = static_cast<std::int64_t>(i) + rank;
  }
  std::vector<std::int64_t> block(2);
  comm.reduce_scatter(blocks.data(), block.data(), 2, DataType::kInt64, ReduceOp::kSum);
  for (std::size_t j = 0; j < 2; ++j) {
    const auto i = static_cast<std::int64_t>(static_cast<std::size_t>(rank) * 2 + j);
    expect(block[j] == i * world + world * (world - 1) / 2, "reduce_scatter");
  }

  // gather and reduce to roots that are not their machine's first process.
  const int root = world - 1;
  std::vector<std::int32_t> gathered(rank == root ? W : 0);
  const std::int32_t own = rank * 3;
  comm.gather(&own, rank == root ? gathered.data() : nullptr, 1, DataType::kInt32, root);
  for (std::size_t r = 0; r < gathered.size(); ++r) {
    expect(gathered[r] == static_cast<std::int32_t>(r * 3), "gather");
  }
  float total = 0;
  const float one = 1.0F;
  comm.reduce(&one, rank == 1 ? &total : nullptr, 1, DataType::kFloat32, ReduceOp::kSum, 1);
  if (rank == 1) expect(total == static_cast<float>(world), "reduce");

  // A large all_reduce: the ring between the machines and the shared-memory
  // split reduction within them.
  if (rank == kill_rank) ::kill(::getpid(), SIGKILL);
  std::vector<float> big(3'000'001, static_cast<float>(rank + 1));
  comm.all_reduce(std::span<float>(big), ReduceOp::kSum);
  for (std::size_t i = 0; i < big.size(); i += 4999) {
    expect(big[i] == static_cast<float>(triangle), "large all_reduce at " + std::to_string(i));
  }
  expect(big.back() == static_cast<float>(triangle), "large all_reduce, last element");
  comm.barrier();
  std::ofstream(dir / ("ok" + std::to_string(rank))) << "ok\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: machines_collectives_worker DIR [kill R]\n";
    return 2;
  }
  const char* rank = std::getenv("RANK");
  try {
    run(argv[1], argc == 4 ? std::atoi(argv[3]) : -1);
  } catch (const std::exception& error) {
    std::cerr << "machines_collectives_worker rank " << (rank ? rank : "?") << ": " << error.what()
              << "\n";
    return 1;
  }
  return 0;
}
