// Collectives on device buffers through the Communicator (NCCL,
// runtime/nccl_group.hpp). Most cases need a GPU and skip without one; the
// refusal without a GPU and the rules that need no CUDA run everywhere.
#include <cuda_runtime_api.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "accel/collectives.hpp"
#include "runtime/gpu_test_support.hpp"
#include "runtime/store_server_fixture.hpp"

using accel::CollectiveError;
using accel::Communicator;
using accel::CommunicatorOptions;
using accel::DataType;
using accel::ReduceOp;

namespace {

// The toolkit's NCCL, wherever LD_LIBRARY_PATH points (process-wide: the
// library is loaded once per process).
void use_toolkit_nccl() {
  ::setenv("ACCEL_NCCL_LIBRARY", ACCEL_TEST_NCCL_LIBRARY, 1);  // NOLINT(concurrency-mt-unsafe)
}

CommunicatorOptions alone() {
  use_toolkit_nccl();
  CommunicatorOptions options;
  options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  return options;
}

void check_cuda(cudaError_t error, const char* what) {
  if (error != cudaSuccess) {
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(error));
  }
}

// `bytes` of device memory, freed at the end of the scope.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
    check_cuda(cudaMalloc(&data_, bytes == 0 ? 1 : bytes), "cudaMalloc");
  }
  ~DeviceBuffer() { static_cast<void>(cudaFree(data_)); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  template <typename T>
  void upload(const std::vector<T>& values) {
    check_cuda(cudaMemcpy(data_, values.data(), values.size() * sizeof(T), cudaMemcpyHostToDevice),
               "cudaMemcpy to the device");
  }
  template <typename T>
  std::vector<T> download(std::size_t count) const {
    std::vector<T> values(count);
    check_cuda(cudaMemcpy(values.data(), data_, count * sizeof(T), cudaMemcpyDeviceToHost),
               "cudaMemcpy from the device");
    return values;
  }

 private:
  std::size_t bytes_;
  void* data_ = nullptr;
};

}  // namespace

TEST_CASE("nccl group: synchronize before any device collective makes no CUDA call",
          "[runtime][nccl]") {
  Communicator comm(alone());
  comm.synchronize();
  comm.synchronize(nullptr);
  CHECK(comm.describe().find("nccl") == std::string::npos);
}

TEST_CASE("nccl group: without a GPU a device call says there is none", "[runtime][nccl]") {
  int count = 0;
  if (cudaGetDeviceCount(&count) == cudaSuccess && count > 0) {
    accel::testing::skip_test_case("this machine has a GPU; the GPU cases cover it");
  }
  Communicator comm(alone());
  CHECK_THROWS_AS(comm.device_barrier(), CollectiveError);
  // The failure broke the communicator, as every CollectiveError does.
  CHECK_THROWS_WITH(comm.device_barrier(),
                    Catch::Contains("failed earlier") && Catch::Contains("no CUDA device"));
}

TEST_CASE("nccl group: a world of one on the GPU runs every collective and type",
          "[runtime][nccl][gpu]") {
  accel::testing::require_gpus(1);
  check_cuda(cudaSetDevice(0), "cudaSetDevice");
  Communicator comm(alone());
  cudaStream_t stream = nullptr;
  check_cuda(cudaStreamCreate(&stream), "cudaStreamCreate");
  constexpr std::size_t kCount = 1001;  // not a multiple of any vector width
  std::vector<std::int64_t> values(kCount);
  for (std::size_t i = 0; i < kCount; ++i) values[i] = static_cast<std::int64_t>(i % 97) - 40;
  for (const DataType type : {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                              DataType::kBFloat16, DataType::kInt32, DataType::kInt64}) {
    INFO(accel::name_of(type));
    const std::size_t bytes = kCount * accel::size_of(type);
    // Any bit pattern survives a world of one: copy the int64 pattern's bytes.
    std::vector<std::uint8_t> input(bytes);
    std::memcpy(input.data(), values.data(), std::min(bytes, values.size() * 8));
    DeviceBuffer send(bytes);
    DeviceBuffer recv(bytes);
    send.upload(input);
    for (const ReduceOp op : {ReduceOp::kSum, ReduceOp::kAvg, ReduceOp::kMin, ReduceOp::kMax}) {
      if (type == DataType::kFloat16 || type == DataType::kBFloat16) break;  // NaN patterns
      comm.all_reduce(send.data(), recv.data(), kCount, type, op, stream);
      comm.synchronize(stream);
      CHECK(recv.download<std::uint8_t>(bytes) == input);
    }
    comm.reduce(send.data(), recv.data(), kCount, type, ReduceOp::kMax, 0, stream);
    comm.all_gather(send.data(), recv.data(), kCount, type, stream);
    comm.gather(send.data(), recv.data(), kCount, type, 0, stream);
    comm.reduce_scatter(send.data(), recv.data(), kCount, type, ReduceOp::kSum, stream);
    comm.broadcast(recv.data(), kCount, type, 0, stream);
    comm.synchronize(stream);
    if (type != DataType::kFloat16 && type != DataType::kBFloat16) {
      CHECK(recv.download<std::uint8_t>(bytes) == input);
    }
  }
  comm.device_barrier(stream);
  comm.device_barrier();  // the legacy default stream
  CHECK(comm.describe().find("nccl") != std::string::npos);
  check_cuda(cudaStreamDestroy(stream), "cudaStreamDestroy");
}

TEST_CASE("nccl group: host and device buffers in one call are refused", "[runtime][nccl][gpu]") {
  accel::testing::require_gpus(1);
  check_cuda(cudaSetDevice(0), "cudaSetDevice");
  Communicator comm(alone());
  DeviceBuffer device(16);
  std::vector<float> host(4);
  CHECK_THROWS_WITH(
      comm.all_reduce(device.data(), host.data(), 4, DataType::kFloat32, ReduceOp::kSum),
      Catch::Contains("the send buffer is in device memory (cuda:0) but the receive buffer in "
                      "host memory"));
  // A refusal does not break the communicator.
  comm.all_reduce(device.data(), device.data(), 4, DataType::kFloat32, ReduceOp::kSum);
  comm.all_reduce(host.data(), host.data(), 4, DataType::kFloat32, ReduceOp::kSum);
  comm.synchronize();
}

TEST_CASE("nccl group: two ranks on two GPUs sum and a missing rank is named",
          "[runtime][nccl][gpu]") {
  accel::testing::require_gpus(2);
  use_toolkit_nccl();
  accel::testing::StoreServerFixture fixture;
  constexpr int kWorld = 2;
  std::vector<std::string> messages(kWorld);
  const auto errors = accel::testing::run_ranks(kWorld, [&](int rank) {
    check_cuda(cudaSetDevice(rank), "cudaSetDevice");
    CommunicatorOptions options;
    options.env = accel::testing::env_of(fixture.worker_env(rank, kWorld));
    options.timeout = std::chrono::seconds(3);
    Communicator comm(options);
    DeviceBuffer buffer(4 * sizeof(float));
    buffer.upload(std::vector<float>(4, static_cast<float>(rank + 1)));
    comm.all_reduce(buffer.data(), buffer.data(), 4, DataType::kFloat32, ReduceOp::kSum);
    comm.synchronize();
    if (buffer.download<float>(4) != std::vector<float>(4, 3.0F)) {
      throw std::runtime_error("rank " + std::to_string(rank) + ": wrong sum");
    }
    // Rank 1 skips the next collective: rank 0's wait must name it.
    if (rank == 0) {
      try {
        comm.all_reduce(buffer.data(), buffer.data(), 4, DataType::kFloat32, ReduceOp::kSum);
        comm.synchronize();
      } catch (const CollectiveError& error) {
        messages[0] = error.what();
      }
    } else {
      std::this_thread::sleep_for(std::chrono::seconds(8));
    }
  });
  for (const auto& error : errors) CHECK(error.empty());
  CHECK_THAT(messages[0], Catch::Contains("on rank 0 (cuda:0") &&
                              Catch::Contains("timed out after 3 s") &&
                              Catch::Contains("rank 1 did not arrive"));
}
