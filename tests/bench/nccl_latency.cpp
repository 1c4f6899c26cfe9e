// The NCCL backend's overhead per call (issue 10's target: within 1 us of a
// direct ncclAllReduce): a world of one on GPU 0, the same in-place fp32
// all_reduce enqueued `--iters` times on one stream, directly through
// ncclAllReduce and through accel::Communicator, and the time per call
// until the stream is done (host clock; the median of --runs runs).
//   <build>/tests/bench/nccl_latency [--iters 20000] [--runs 7]
// tests/gpu/nccl.sh runs it and PyTorch's dist.all_reduce for the same table.
#include <cuda_runtime_api.h>
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "runtime/nccl_library.hpp"

namespace {

void check_cuda(cudaError_t error, const char* what) {
  if (error != cudaSuccess) {
    throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(error));
  }
}

void check_nccl(const accel::runtime_detail::NcclLibrary& nccl, ncclResult_t result,
                const char* what) {
  if (result != ncclSuccess && result != ncclInProgress) {
    throw std::runtime_error(std::string(what) + " failed: " + nccl.error_text(result, nullptr));
  }
}

template <typename Enqueue>
double median_us_per_call(int runs, int iters, cudaStream_t stream, Enqueue&& enqueue) {
  std::vector<double> per_call;
  for (int run = 0; run < runs; ++run) {
    for (int i = 0; i < 100; ++i) enqueue();  // warm-up (NCCL connects lazily)
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) enqueue();
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    const std::chrono::duration<double, std::micro> elapsed =
        std::chrono::steady_clock::now() - start;
    per_call.push_back(elapsed.count() / iters);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

int option(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int iters = option(argc, argv, "--iters", 20000);
    const int runs = option(argc, argv, "--runs", 7);
    check_cuda(cudaSetDevice(0), "cudaSetDevice");
    const auto& nccl = accel::runtime_detail::process_nccl_library();
    cudaStream_t stream = nullptr;
    check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    constexpr std::size_t kMaxBytes = 1 << 20;
    void* buffer = nullptr;
    check_cuda(cudaMalloc(&buffer, kMaxBytes), "cudaMalloc");
    check_cuda(cudaMemset(buffer, 0, kMaxBytes), "cudaMemset");

    // The direct communicator, made as the runtime makes its own.
    ncclUniqueId id{};
    check_nccl(nccl, nccl.api().get_unique_id(&id), "ncclGetUniqueId");
    ncclComm_t direct = nullptr;
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    check_nccl(nccl, nccl.api().comm_init_rank_config(&direct, 1, id, 0, &config),
               "ncclCommInitRankConfig");
    ncclResult_t state = ncclInProgress;
    while (state == ncclInProgress) {
      check_nccl(nccl, nccl.api().comm_get_async_error(direct, &state), "ncclCommGetAsyncError");
    }
    check_nccl(nccl, state, "ncclCommInitRankConfig (completion)");

    accel::CommunicatorOptions options;
    options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    accel::Communicator communicator(options);
    communicator.all_reduce(buffer, buffer, 1, accel::DataType::kFloat32, accel::ReduceOp::kSum,
                            stream);  // sets NCCL up
    communicator.synchronize(stream);

    std::printf(
        "# nccl_latency: world of one on GPU 0, NCCL %s, fp32 sum in place, %d calls per "
        "run, median of %d runs\n",
        nccl.version().c_str(), iters, runs);
    std::printf("%10s %14s %14s %14s\n", "bytes", "direct us", "accel us", "accel - direct");
    for (const std::size_t bytes :
         {std::size_t{8}, std::size_t{1024}, std::size_t{65536}, kMaxBytes}) {
      const std::size_t count = bytes / sizeof(float);
      const double direct_us = median_us_per_call(runs, iters, stream, [&] {
        check_nccl(
            nccl,
            nccl.api().all_reduce(buffer, buffer, count, ncclFloat32, ncclSum, direct, stream),
            "ncclAllReduce");
      });
      const double accel_us = median_us_per_call(runs, iters, stream, [&] {
        communicator.all_reduce(buffer, buffer, count, accel::DataType::kFloat32,
                                accel::ReduceOp::kSum, stream);
      });
      std::printf("%10zu %14.2f %14.2f %14.2f\n", bytes, direct_us, accel_us, accel_us - direct_us);
    }
    communicator.synchronize(stream);
    static_cast<void>(nccl.api().comm_destroy(direct));
    static_cast<void>(cudaFree(buffer));
    static_cast<void>(cudaStreamDestroy(stream));
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "nccl_latency: %s\n", error.what());
    return 1;
  }
}
