// Collectives between the processes of a job: all_reduce, reduce, broadcast,
// all_gather, gather, reduce_scatter and barrier on contiguous host or CUDA
// device buffers,
// the C++ counterpart of torch.distributed's and Accelerate's (NCCL's
// argument conventions). docs/runtime.md ("Collectives") is the user's guide.
//
// Every process of the job constructs its Communicator (a collective call:
// the processes meet through the job's KV store) and then calls the same
// collectives in the same order with the same count, type, op and root.
// Within a machine the processes share memory (one POSIX shared-memory
// segment per job and machine, unlinked once every local process has mapped
// it, so nothing is left in /dev/shm whatever happens later); between
// machines they talk TCP, hierarchically (reduce within the machine, across
// the machines, then broadcast within the machine). Run without a launcher
// the world is one process and every collective is a copy.
//
// Types: fp32, fp64, fp16 and bf16 (both as uint16_t bit patterns, summed in
// fp32 and rounded once to nearest-even), int32, int64. Ops: sum, avg, min,
// max; avg is the sum divided by the number of processes (integer division,
// truncating toward zero, for the integer types). NaN propagates through
// min and max.
//
// Buffers: `count` is the number of elements, 0 allowed. Out-of-place calls
// read `send` and write `recv`, which must not overlap; in-place calls pass
// the same pointer (for all_gather and gather: send is this rank's slot of
// recv, recv + rank * count; for reduce_scatter: recv is this rank's block
// of send, send + rank * recv_count). Arguments that cannot be right (a root outside
// the world, null buffers with count > 0, overlap) throw std::invalid_argument
// before any communication.
//
// Errors: every collective waits at most the timeout (CommunicatorOptions,
// else ACCEL_RUNTIME_TIMEOUT seconds, else 600 s). When it fires, or a peer
// process dies or disconnects, the call throws CollectiveError naming the
// collective, its sequence number and the ranks that did not arrive or
// failed. The communicator is then broken: every later call throws at once
// (the job should exit; the launcher stops the others too).
//
// GPU buffers: a call whose buffers are CUDA device (or managed) memory runs
// through NCCL instead, with no change in the call -- the Communicator tells
// them apart per call without ever creating a CUDA context in a process
// that has not used CUDA. NCCL is set up on the first such call (a
// collective call: every process must make it) on this process's GPU,
// ACCEL_LOCAL_DEVICE (set by accel launch) else LOCAL_RANK within
// CUDA_VISIBLE_DEVICES; buffers must be on that GPU, and send and recv both
// on the device or both in host memory (else std::invalid_argument). Device
// collectives are asynchronous, as NCCL's are: they are enqueued on `stream`
// (a cudaStream_t; null = the legacy default stream) and return. avg is
// NCCL's ncclAvg. The timeout supervises NCCL's set-up and what waits:
// synchronize(stream) and device_barrier(); a stream the caller waits on
// itself (cudaStreamSynchronize) is not supervised. Host buffers ignore
// `stream` and complete before the call returns. libaccel built without
// CUDA refuses device buffers (std::invalid_argument). docs/runtime.md
// ("GPU: NCCL").
//
// Thread-safety: one thread at a time per Communicator. Distinct
// communicators (distinct names) may be used from distinct threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "accel/distributed_state.hpp"

namespace accel {

enum class DataType { kFloat32, kFloat64, kFloat16, kBFloat16, kInt32, kInt64 };
enum class ReduceOp { kSum, kAvg, kMin, kMax };

std::size_t size_of(DataType type);
std::string_view name_of(DataType type);  // "float32", "bfloat16", ...
std::string_view name_of(ReduceOp op);    // "sum", "avg", "min", "max"
// Parses the names above (and "fp32", "fp16", "bf16", "int", "float"...);
// nullopt for anything else.
std::optional<DataType> data_type_named(std::string_view name);
std::optional<ReduceOp> reduce_op_named(std::string_view name);

// The DataType of a C++ element type; fp16 and bf16 have no C++ type here
// and are passed with the untyped calls.
template <typename T>
constexpr DataType data_type_of() {
  if constexpr (std::is_same_v<T, float>) {
    return DataType::kFloat32;
  } else if constexpr (std::is_same_v<T, double>) {
    return DataType::kFloat64;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return DataType::kInt32;
  } else {
    static_assert(std::is_same_v<T, std::int64_t>, "collectives take float, double, int32, int64");
    return DataType::kInt64;
  }
}

class CollectiveError : public SyncError {
 public:
  using SyncError::SyncError;
};

struct CommunicatorOptions {
  EnvLookup env;  // empty = the process environment
  // How long one collective (and the set-up) may wait; nullopt = the
  // ACCEL_RUNTIME_TIMEOUT variable (whole seconds), else 600 s.
  std::optional<std::chrono::milliseconds> timeout;
  // Tells the communicators of one process apart in the store; every process
  // must create communicators of the same names. One name per process.
  std::string name = "world";
};

// The parts behind a Communicator (runtime/collective_group.hpp).
namespace runtime_detail {
class Group;
}

class Communicator {
 public:
  // Joins every process of the job (a collective call); throws
  // CollectiveError when they do not all arrive within the timeout.
  explicit Communicator(CommunicatorOptions options = {});
  Communicator(Communicator&&) noexcept;
  Communicator& operator=(Communicator&&) noexcept;
  ~Communicator();

  int rank() const;  // RANK
  int size() const;  // WORLD_SIZE
  std::chrono::milliseconds timeout() const;
  // "shared memory", "shared memory + tcp (2 machines)", "self": for logs.
  std::string describe() const;

  // `stream`: a cudaStream_t for device buffers (see "GPU buffers" above),
  // ignored for host buffers.
  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                  void* stream = nullptr);
  // recv is written on `root` only (may be null elsewhere).
  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op, int root,
              void* stream = nullptr);
  void broadcast(void* buffer, std::size_t count, DataType type, int root, void* stream = nullptr);
  // recv holds size() * count elements, rank r's at recv + r * count.
  void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                  void* stream = nullptr);
  // As all_gather, written on `root` only (recv may be null elsewhere).
  void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
              void* stream = nullptr);
  // send holds size() * recv_count elements; rank r receives the reduction
  // of every rank's block r.
  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                      ReduceOp op, void* stream = nullptr);
  // Every process has arrived (host: returns when all did).
  void barrier();

  // GPU: every process's device work on `stream` up to here is done -- a
  // one-element all_reduce on the device, then synchronize(stream). Sets
  // NCCL up if no device collective did yet.
  void device_barrier(void* stream = nullptr);
  // Waits until the work enqueued on `stream` (a cudaStream_t, null = the
  // legacy default stream) is done, within the timeout; throws
  // CollectiveError naming the ranks that did not arrive when a device
  // collective is stuck, or NCCL's error. Not a collective: each process
  // calls it when it needs to. Without a device collective so far it
  // returns at once and makes no CUDA call.
  void synchronize(void* stream = nullptr);

  // Typed conveniences (in place where one buffer is given).
  template <typename T>
  void all_reduce(std::span<T> buffer, ReduceOp op) {
    all_reduce(buffer.data(), buffer.data(), buffer.size(), data_type_of<T>(), op);
  }
  template <typename T>
  void broadcast(std::span<T> buffer, int root) {
    broadcast(buffer.data(), buffer.size(), data_type_of<T>(), root);
  }
  template <typename T>
  std::vector<T> all_gather(std::span<const T> send) {
    std::vector<T> recv(send.size() * static_cast<std::size_t>(size()));
    all_gather(send.data(), recv.data(), send.size(), data_type_of<T>());
    return recv;
  }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accel
