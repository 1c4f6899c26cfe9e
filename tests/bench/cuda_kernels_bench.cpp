// The CUDA mixed-precision kernels against the device's own copy bandwidth
// (prints a table, asserts nothing; needs a GPU).
//
//   cuda_kernels_bench [--mib N] [--runs R] [--tensors T] [--tensor-bytes B] [--json]
//
// Each row: the kernel's median time over R runs (default 50; CUDA events
// around each run, after warm-up), the bytes it reads plus writes per run,
// TB/s, and that as a percentage of a device-to-device cudaMemcpy of the
// N MiB fp32 buffer (default 1024) measured in the same run, the ceiling a
// memory-bound kernel can reach. Inputs rotate between two sets, so no run
// reads what the previous one left in L2. The multi-tensor rows use T
// tensors (default 215) of mixed, odd sizes totalling B bytes (default
// 1.29 GB) -- the sizes tests/gpu/torch_kernels_bench.py gives torch, so
// the two tables compare row for row. The scaler rows time the update alone
// and the whole unscale + check + update sequence captured as one graph.
// --json prints one JSON object per row instead, for tests/gpu/cuda_kernels.sh.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "accel/cuda_grad_scaler.hpp"
#include "accel/cuda_multi_tensor.hpp"
#include "accel/cuda_reduced_float.hpp"

namespace {

struct Options {
  std::size_t mib = 1024;
  int runs = 50;
  std::size_t tensors = 215;
  std::size_t tensor_bytes = 1290000000;
  bool json = false;
};

[[noreturn]] void usage() {
  (void)std::fprintf(stderr,
                     "usage: cuda_kernels_bench [--mib N] [--runs R] [--tensors T] "
                     "[--tensor-bytes B] [--json]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      options.json = true;
    } else if (i + 1 < argc && flag == "--mib") {
      options.mib = std::strtoul(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && flag == "--runs") {
      options.runs = std::atoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--tensors") {
      options.tensors = std::strtoul(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && flag == "--tensor-bytes") {
      options.tensor_bytes = std::strtoul(argv[++i], nullptr, 10);
    } else {
      usage();
    }
  }
  if (options.mib == 0 || options.runs < 1 || options.tensors == 0 ||
      options.tensor_bytes < options.tensors * sizeof(float)) {
    (void)std::fprintf(stderr,
                       "cuda_kernels_bench: --mib, --runs and --tensors must be at least 1, and "
                       "--tensor-bytes at least 4 per tensor\n");
    std::exit(2);
  }
  return options;
}

void check(cudaError_t result, const char* what) {
  if (result != cudaSuccess) {
    throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(result));
  }
}

// The tensor sizes shared with torch_kernels_bench.py: weights 1..7 in turn,
// scaled to the total, so sizes are mixed and mostly not multiples of 4.
std::vector<std::size_t> tensor_sizes(std::size_t tensors, std::size_t total_bytes) {
  const std::size_t total_values = total_bytes / sizeof(float);
  std::size_t total_weight = 0;
  for (std::size_t i = 0; i < tensors; ++i) total_weight += i % 7 + 1;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < tensors; ++i) {
    sizes.push_back(total_values / total_weight * (i % 7 + 1) + i % 13);
  }
  return sizes;
}

class DeviceMemory {
 public:
  explicit DeviceMemory(std::size_t bytes) {
    check(cudaMalloc(&data_, bytes), "cudaMalloc");
    check(cudaMemset(data_, 0, bytes), "cudaMemset");
  }
  ~DeviceMemory() { static_cast<void>(cudaFree(data_)); }
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
};

// Fills `count` floats with finite values of magnitude ~1 (a cheap hash;
// the kernels' speed does not depend on the values).
void fill_floats(float* device, std::size_t count) {
  std::vector<float> host(std::min<std::size_t>(count, std::size_t{1} << 24));
  for (std::size_t i = 0; i < host.size(); ++i) {
    host[i] =
        static_cast<float>(static_cast<std::int32_t>(i * 2654435761U % 2001U) - 1000) / 997.0F;
  }
  for (std::size_t done = 0; done < count; done += host.size()) {
    const std::size_t n = std::min(host.size(), count - done);
    check(cudaMemcpy(device + done, host.data(), n * sizeof(float), cudaMemcpyHostToDevice),
          "cudaMemcpy (filling inputs)");
  }
  // The timed work runs on a non-blocking stream, which does not wait for
  // these copies.
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

// Median milliseconds of `runs` runs of work(run), each timed by events on
// `stream`, after 3 warm-up runs.
double median_ms(int runs, cudaStream_t stream, const std::function<void(int)>& work) {
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  for (int run = 0; run < 3; ++run) work(run);
  std::vector<float> times;
  for (int run = 0; run < runs; ++run) {
    check(cudaEventRecord(start, stream), "cudaEventRecord");
    work(run);
    check(cudaEventRecord(stop, stream), "cudaEventRecord");
    check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    times.push_back(ms);
  }
  static_cast<void>(cudaEventDestroy(start));
  static_cast<void>(cudaEventDestroy(stop));
  std::sort(times.begin(), times.end());
  return static_cast<double>(times[times.size() / 2]);
}

struct Row {
  std::string key;  // the row's name in tests/gpu/kernel_table.py (same on torch's side)
  std::string kernel;
  double bytes;  // read + written per run; 0 for latency-only rows
  double ms;
};

void print(const std::vector<Row>& rows, double copy_tbps, const Options& options) {
  if (options.json) {
    for (const Row& row : rows) {
      const double tbps = row.bytes > 0 ? row.bytes / (row.ms * 1e-3) / 1e12 : 0.0;
      std::printf(
          "{\"side\": \"accel\", \"key\": \"%s\", \"kernel\": \"%s\", \"bytes\": %.0f, "
          "\"median_us\": %.3f, "
          "\"tbps\": %.4f, \"copy_tbps\": %.4f}\n",
          row.key.c_str(), row.kernel.c_str(), row.bytes, row.ms * 1e3, tbps, copy_tbps);
    }
    return;
  }
  std::printf("%-44s %12s %12s %8s %9s\n", "kernel", "GB moved", "median us", "TB/s", "% of copy");
  for (const Row& row : rows) {
    if (row.bytes > 0) {
      const double tbps = row.bytes / (row.ms * 1e-3) / 1e12;
      std::printf("%-44s %12.3f %12.1f %8.3f %8.1f%%\n", row.kernel.c_str(), row.bytes / 1e9,
                  row.ms * 1e3, tbps, 100.0 * tbps / copy_tbps);
    } else {
      std::printf("%-44s %12s %12.1f %8s %9s\n", row.kernel.c_str(), "-", row.ms * 1e3, "-", "-");
    }
  }
}

int run(const Options& options) {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp properties{};
  check(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
  if (!options.json) {
    std::printf("device %d: %s, %d SMs; %zu MiB buffers, median of %d runs\n", device,
                properties.name, properties.multiProcessorCount, options.mib, options.runs);
  }
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");

  const std::size_t values = options.mib * (std::size_t{1} << 20) / sizeof(float);
  const double fp32_bytes = static_cast<double>(values * sizeof(float));
  const double half_bytes = static_cast<double>(values * sizeof(std::uint16_t));
  // Two of each, rotated, so a run never finds its input in L2.
  DeviceMemory floats[2] = {DeviceMemory(values * sizeof(float)),
                            DeviceMemory(values * sizeof(float))};
  DeviceMemory halves[2] = {DeviceMemory(values * sizeof(std::uint16_t)),
                            DeviceMemory(values * sizeof(std::uint16_t))};
  fill_floats(floats[0].as<float>(), values);
  fill_floats(floats[1].as<float>(), values);
  accel::cuda::float_to_bf16(floats[0].as<float>(), halves[0].as<std::uint16_t>(), values, stream);
  accel::cuda::float_to_bf16(floats[1].as<float>(), halves[1].as<std::uint16_t>(), values, stream);

  std::vector<Row> rows;
  const double copy_ms = median_ms(options.runs, stream, [&](int run) {
    check(cudaMemcpyAsync(floats[(run + 1) % 2].as<float>(), floats[run % 2].as<float>(),
                          values * sizeof(float), cudaMemcpyDeviceToDevice, stream),
          "cudaMemcpyAsync");
  });
  rows.push_back({"copy", "device-to-device copy (fp32)", 2 * fp32_bytes, copy_ms});
  const double copy_tbps = 2 * fp32_bytes / (copy_ms * 1e-3) / 1e12;

  using Narrow = void (*)(const float*, std::uint16_t*, std::size_t, cudaStream_t);
  using Widen = void (*)(const std::uint16_t*, float*, std::size_t, cudaStream_t);
  struct NarrowRow {
    const char* key;
    const char* name;
    Narrow narrow;
  };
  const NarrowRow narrowings[] = {{"fp32_to_bf16", "fp32 -> bf16", accel::cuda::float_to_bf16},
                                  {"fp32_to_fp16", "fp32 -> fp16", accel::cuda::float_to_fp16}};
  for (const NarrowRow& row : narrowings) {
    rows.push_back(
        {row.key, row.name, fp32_bytes + half_bytes, median_ms(options.runs, stream, [&](int run) {
           row.narrow(floats[run % 2].as<float>(), halves[run % 2].as<std::uint16_t>(), values,
                      stream);
         })});
  }
  struct WidenRow {
    const char* key;
    const char* name;
    Widen widen;
  };
  const WidenRow widenings[] = {{"bf16_to_fp32", "bf16 -> fp32", accel::cuda::bf16_to_float},
                                {"fp16_to_fp32", "fp16 -> fp32", accel::cuda::fp16_to_float}};
  for (const WidenRow& row : widenings) {
    rows.push_back(
        {row.key, row.name, fp32_bytes + half_bytes, median_ms(options.runs, stream, [&](int run) {
           row.widen(halves[run % 2].as<std::uint16_t>(), floats[run % 2].as<float>(), values,
                     stream);
         })});
  }

  // The multi-tensor rows: two sets of the gradients, rotated.
  const std::vector<std::size_t> sizes = tensor_sizes(options.tensors, options.tensor_bytes);
  std::size_t total_values = 0;
  for (const std::size_t size : sizes) total_values += size;
  const double grad_bytes = static_cast<double>(total_values * sizeof(float));
  std::vector<std::unique_ptr<DeviceMemory>> grad_memory;
  std::vector<accel::cuda::CudaTensorList> lists;
  for (int set = 0; set < 2; ++set) {
    std::vector<accel::cuda::DeviceTensor> tensors;
    for (const std::size_t size : sizes) {
      grad_memory.push_back(std::make_unique<DeviceMemory>(size * sizeof(float)));
      fill_floats(grad_memory.back()->as<float>(), size);
      tensors.push_back({grad_memory.back()->as<float>(), size});
    }
    lists.emplace_back(tensors);
  }
  DeviceMemory scalars(4 * sizeof(float));  // inv_scale, found_inf, norm
  const float inv_scale = 1.0F - 0x1p-20F;  // not 1: every value is multiplied and stored
  check(cudaMemcpy(scalars.as<float>(), &inv_scale, sizeof inv_scale, cudaMemcpyHostToDevice),
        "cudaMemcpy");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  const std::string tensors_label = " (" + std::to_string(options.tensors) + " tensors)";
  rows.push_back({"unscale", "unscale + non-finite check" + tensors_label, 2 * grad_bytes,
                  median_ms(options.runs, stream, [&](int run) {
                    accel::cuda::unscale_and_check(lists[run % 2], scalars.as<float>(),
                                                   scalars.as<float>() + 1, stream);
                  })});
  rows.push_back({"l2_norm", "global L2 norm" + tensors_label, grad_bytes,
                  median_ms(options.runs, stream, [&](int run) {
                    accel::cuda::global_l2_norm(lists[run % 2], scalars.as<float>() + 2, stream);
                  })});

  // The scaler: update alone (launch-bound), and the whole sequence as a
  // graph. Its unscale multiplies by 1/65536 every run, so the values
  // drift towards denormals and zero; the GPU handles those at full speed.
  accel::cuda::CudaGradScaler scaler;
  // update() alone: an empty list's unscale queues nothing but satisfies
  // the order rule. Host wall time per call over 1000 calls, as torch's
  // _amp_update_scale_ is quoted (per call from Python).
  const accel::cuda::CudaTensorList nothing(std::vector<accel::cuda::DeviceTensor>{});
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  const auto start = std::chrono::steady_clock::now();
  constexpr int kUpdates = 1000;
  for (int call = 0; call < kUpdates; ++call) {
    scaler.unscale(nothing, stream);
    scaler.update(stream);
  }
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  rows.push_back(
      {"update", "scaler update, per call (host wall time)", 0, elapsed.count() / kUpdates});
  cudaGraphExec_t graphs[2] = {nullptr, nullptr};
  for (int set = 0; set < 2; ++set) {
    cudaGraph_t graph = nullptr;
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
          "cudaStreamBeginCapture");
    scaler.unscale(lists[set], stream);
    scaler.update(stream);
    check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
    check(cudaGraphInstantiate(&graphs[set], graph, 0), "cudaGraphInstantiate");
    static_cast<void>(cudaGraphDestroy(graph));
  }
  rows.push_back({"graph", "scaler unscale+check+update, one graph" + tensors_label, 2 * grad_bytes,
                  median_ms(options.runs, stream, [&](int run) {
                    check(cudaGraphLaunch(graphs[run % 2], stream), "cudaGraphLaunch");
                  })});
  for (cudaGraphExec_t graph : graphs) static_cast<void>(cudaGraphExecDestroy(graph));
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  print(rows, copy_tbps, options);
  static_cast<void>(cudaStreamDestroy(stream));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  try {
    return run(options);
  } catch (const std::exception& error) {
    (void)std::fprintf(stderr, "cuda_kernels_bench: %s\n", error.what());
    return 1;
  }
}
