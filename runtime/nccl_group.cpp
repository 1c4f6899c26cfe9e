#include "runtime/nccl_group.hpp"

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <algorithm>
#include <thread>

#include "runtime/message_text.hpp"
#include "runtime/nccl_bootstrap.hpp"
#include "runtime/nccl_library.hpp"
#include "runtime/nccl_progress.hpp"

namespace accel::runtime_detail {

namespace {

constexpr const char* kNcclDebugHint = " (run with NCCL_DEBUG=WARN for NCCL's view)";
constexpr const char* kSameOrder =
    "; every process must call the same collectives in the same order; if they are only slow, "
    "raise ACCEL_RUNTIME_TIMEOUT";

ncclDataType_t nccl_type(DataType type) {
  switch (type) {
    case DataType::kFloat32: return ncclFloat32;
    case DataType::kFloat64: return ncclFloat64;
    case DataType::kFloat16: return ncclFloat16;
    case DataType::kBFloat16: return ncclBfloat16;
    case DataType::kInt32: return ncclInt32;
    case DataType::kInt64: return ncclInt64;
  }
  return ncclFloat32;  // unreachable: every DataType is listed
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum: return ncclSum;
    case ReduceOp::kAvg: return ncclAvg;
    case ReduceOp::kMin: return ncclMin;
    case ReduceOp::kMax: return ncclMax;
  }
  return ncclSum;  // unreachable
}

cudaStream_t stream_of(void* stream) {
  return static_cast<cudaStream_t>(stream);
}

std::string cuda_text(cudaError_t error) {
  return std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
}

// Calls `done` until it returns true or `deadline` passes (false). The
// first polls only yield: a collective that is about to finish should not
// pay a sleep's wake-up latency; a long wait should not burn a core.
template <typename Done>
bool poll_until(Clock::time_point deadline, Done&& done) {
  constexpr int kYieldingPolls = 1000;
  constexpr std::chrono::microseconds kSleep{50};
  for (int polls = 0;; ++polls) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    if (polls < kYieldingPolls) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(kSleep);
    }
  }
}

// Makes `device` current for a scope and restores the caller's device:
// the runtime must not change which GPU the program's own CUDA calls use.
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    if (cudaGetDevice(&previous_) != cudaSuccess) previous_ = -1;
    error_ = cudaSetDevice(device);
  }
  ~DeviceScope() {
    if (previous_ >= 0) static_cast<void>(cudaSetDevice(previous_));
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;
  cudaError_t error() const { return error_; }

 private:
  int previous_ = -1;
  cudaError_t error_ = cudaSuccess;
};

class NcclGroup final : public DeviceGroup {
 public:
  NcclGroup(const NcclLibrary& nccl, GroupContext context, const DeviceChoice& device)
      : nccl_(nccl), context_(std::move(context)), device_(device) {}

  NcclGroup(const NcclGroup&) = delete;
  NcclGroup& operator=(const NcclGroup&) = delete;

  ~NcclGroup() override {
    if (comm_ == nullptr) return;  // aborted, or never made
    const DeviceScope scope(device_.device);
    // Finalize flushes the communicator's outstanding work; a peer that
    // vanished could stall it, so it gets the timeout, then the abort.
    ncclResult_t state = nccl_.api().comm_finalize(comm_);
    if (state == ncclInProgress) {
      poll_until(Clock::now() + context_.timeout, [&] {
        if (nccl_.api().comm_get_async_error(comm_, &state) != ncclSuccess)
          state = ncclInternalError;
        return state != ncclInProgress;
      });
    }
    if (state == ncclSuccess) {
      static_cast<void>(nccl_.api().comm_destroy(comm_));
    } else {
      static_cast<void>(nccl_.api().comm_abort(comm_));
    }
    // After the communicator: cudaFree waits for the device, where a
    // collective of a vanished peer would wait forever until the abort.
    if (scratch_ != nullptr) static_cast<void>(cudaFree(scratch_));
  }

  // The collective set-up: the communicator on the device, non-blocking.
  void connect(const ncclUniqueId& id, const CallInfo& call) {
    const DeviceScope scope(device_.device);
    if (scope.error() != cudaSuccess) {
      fail(call, "cudaSetDevice(" + std::to_string(device_.device) +
                     ") failed: " + cuda_text(scope.error()) + "; check the GPU with nvidia-smi");
    }
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    const ncclResult_t result =
        nccl_.api().comm_init_rank_config(&comm_, context_.size(), id, context_.rank, &config);
    if (result != ncclSuccess && result != ncclInProgress) {
      fail(call,
           "ncclCommInitRankConfig failed: " + nccl_.error_text(result, comm_) + kNcclDebugHint);
    }
    ncclResult_t state = ncclInProgress;
    const bool done = poll_until(call.deadline, [&] {
      const ncclResult_t asked = nccl_.api().comm_get_async_error(comm_, &state);
      if (asked != ncclSuccess) state = asked;
      return state != ncclInProgress;
    });
    if (!done) {
      std::string detail;
      try {
        const std::vector<int> missing = ranks_not_joined(context_);
        detail = missing.empty() ? "every rank joined, but NCCL's set-up did not finish (a "
                                   "network or GPU problem" +
                                       std::string(kNcclDebugHint) + ")"
                                 : ranks_text(missing) + " did not arrive";
      } catch (const rendezvous::StoreError& error) {
        detail = std::string("the ranks missing are unknown (") + error.what() + ")";
      }
      fail(call, "timed out after " + duration_text(context_.timeout) +
                     " setting up NCCL's communicator: " + detail + kSameOrder);
    }
    if (state != ncclSuccess) {
      fail(call, "setting up NCCL's communicator failed: " + nccl_.error_text(state, comm_) +
                     kNcclDebugHint);
    }
    const cudaError_t allocated = cudaMalloc(&scratch_, sizeof(int));
    if (allocated != cudaSuccess) {
      scratch_ = nullptr;
      fail(call, "cudaMalloc of the barrier's 4 bytes failed: " + cuda_text(allocated));
    }
  }

  std::string describe() const override {
    return "nccl " + nccl_.version() + " (" + std::to_string(context_.size()) + " process" +
           (context_.size() == 1 ? "" : "es") + ", cuda:" + std::to_string(device_.device) + ")";
  }

  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                  void* stream, const CallInfo& call) override {
    last_entered_ = call.sequence;
    enqueued(nccl_.api().all_reduce(send, recv, count, nccl_type(type), nccl_op(op), comm_,
                                    stream_of(stream)),
             "ncclAllReduce", call);
  }

  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op, int root,
              void* stream, const CallInfo& call) override {
    last_entered_ = call.sequence;
    enqueued(nccl_.api().reduce(send, recv, count, nccl_type(type), nccl_op(op), root, comm_,
                                stream_of(stream)),
             "ncclReduce", call);
  }

  void broadcast(void* buffer, std::size_t count, DataType type, int root, void* stream,
                 const CallInfo& call) override {
    last_entered_ = call.sequence;
    enqueued(nccl_.api().broadcast(buffer, buffer, count, nccl_type(type), root, comm_,
                                   stream_of(stream)),
             "ncclBroadcast", call);
  }

  void all_gather(const void* send, void* recv, std::size_t count, DataType type, void* stream,
                  const CallInfo& call) override {
    last_entered_ = call.sequence;
    enqueued(nccl_.api().all_gather(send, recv, count, nccl_type(type), comm_, stream_of(stream)),
             "ncclAllGather", call);
  }

  void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
              void* stream, const CallInfo& call) override {
    last_entered_ = call.sequence;
    if (count == 0) return;
    const std::size_t bytes = count * size_of(type);
    const auto slot = [&](int member) {
      return static_cast<char*>(recv) + static_cast<std::size_t>(member) * bytes;
    };
    const bool is_root = context_.rank == root;
    if (is_root && slot(root) != send) {
      const cudaError_t copied =
          cudaMemcpyAsync(slot(root), send, bytes, cudaMemcpyDeviceToDevice, stream_of(stream));
      if (copied != cudaSuccess) {
        fail(call, "cudaMemcpyAsync of the root's own block failed: " + cuda_text(copied));
      }
    }
    enqueued(nccl_.api().group_start(), "ncclGroupStart", call);
    ncclResult_t result = ncclSuccess;
    if (is_root) {
      for (int member = 0; member < context_.size() && result == ncclSuccess; ++member) {
        if (member == root) continue;
        result = nccl_.api().recv(slot(member), count, nccl_type(type), member, comm_,
                                  stream_of(stream));
      }
    } else {
      result = nccl_.api().send(send, count, nccl_type(type), root, comm_, stream_of(stream));
    }
    const ncclResult_t ended = nccl_.api().group_end();
    enqueued(result != ncclSuccess ? result : ended, "ncclSend/ncclRecv", call);
  }

  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                      ReduceOp op, void* stream, const CallInfo& call) override {
    last_entered_ = call.sequence;
    enqueued(nccl_.api().reduce_scatter(send, recv, recv_count, nccl_type(type), nccl_op(op), comm_,
                                        stream_of(stream)),
             "ncclReduceScatter", call);
  }

  void barrier(void* stream, const CallInfo& call) override {
    all_reduce(scratch_, scratch_, 1, DataType::kInt32, ReduceOp::kSum, stream, call);
    synchronize(stream, call);
  }

  void synchronize(void* stream, const CallInfo& call) override {
    const bool done = poll_until(call.deadline, [&] {
      const cudaError_t queried = cudaStreamQuery(stream_of(stream));
      if (queried != cudaSuccess && queried != cudaErrorNotReady) {
        fail(call, "cudaStreamQuery failed waiting for the stream: " + cuda_text(queried) +
                       " (a kernel on the stream failed, or the GPU did)");
      }
      check_async_error(call);
      return queried == cudaSuccess;
    });
    if (!done) timed_out(call, "waiting for its device collectives to finish");
  }

 private:
  // An NCCL call's result, on the hot path: success returns at once.
  void enqueued(ncclResult_t result, const char* what, const CallInfo& call) {
    if (result == ncclSuccess) return;
    if (result != ncclInProgress) {
      fail(call,
           std::string(what) + " failed: " + nccl_.error_text(result, comm_) + kNcclDebugHint);
    }
    // Non-blocking: NCCL is still connecting to the peers this call needs.
    ncclResult_t state = ncclInProgress;
    const bool done = poll_until(call.deadline, [&] {
      const ncclResult_t asked = nccl_.api().comm_get_async_error(comm_, &state);
      if (asked != ncclSuccess) state = asked;
      return state != ncclInProgress;
    });
    if (!done) timed_out(call, std::string("waiting for ") + what + " to connect to its peers");
    if (state != ncclSuccess) {
      fail(call, std::string(what) + " failed: " + nccl_.error_text(state, comm_) + kNcclDebugHint);
    }
  }

  void check_async_error(const CallInfo& call) {
    ncclResult_t state = ncclSuccess;
    const ncclResult_t asked = nccl_.api().comm_get_async_error(comm_, &state);
    if (asked != ncclSuccess) state = asked;
    if (state != ncclSuccess && state != ncclInProgress) {
      fail(call, "NCCL reported an error: " + nccl_.error_text(state, comm_) + kNcclDebugHint);
    }
  }

  // Names the ranks that are behind (nccl_progress.hpp), then fails.
  [[noreturn]] void timed_out(const CallInfo& call, const std::string& waiting_for) {
    std::string detail;
    if (context_.store != nullptr && context_.size() > 1) {
      try {
        const auto progress =
            exchange_progress(*context_.store, context_.key_prefix, context_.rank, context_.size(),
                              last_entered_, std::min(context_.timeout, kProgressGracePeriod));
        const std::vector<int> behind = ranks_behind(progress, last_entered_);
        detail = behind.empty()
                     ? ": every rank entered collective #" + std::to_string(last_entered_) +
                           ", so NCCL itself is stuck (a network or GPU problem" + kNcclDebugHint +
                           ")"
                     : ": " + ranks_text(behind) + " did not arrive (" +
                           progress_text(progress, behind) + ")";
      } catch (const rendezvous::StoreError& error) {
        detail = std::string(": the ranks missing are unknown (") + error.what() + ")";
      }
    }
    fail(call, "timed out after " + duration_text(context_.timeout) + " " + waiting_for + detail +
                   kSameOrder);
  }

  // Aborts the communicator (it is unusable after an error or a timeout,
  // and an abort frees the peers' kernels waiting on it) and throws.
  [[noreturn]] void fail(const CallInfo& call, const std::string& what) {
    if (comm_ != nullptr) {
      static_cast<void>(nccl_.api().comm_abort(comm_));
      comm_ = nullptr;
      // The scratch word goes with the process: freeing it would wait for
      // the device, which may be what is stuck.
      scratch_ = nullptr;
    }
    throw CollectiveError(call.label() + " on rank " + std::to_string(context_.global_rank()) +
                          " (cuda:" + std::to_string(device_.device) + ", NCCL " + nccl_.version() +
                          "): " + what);
  }

  const NcclLibrary& nccl_;
  GroupContext context_;
  DeviceChoice device_;
  ncclComm_t comm_ = nullptr;
  void* scratch_ = nullptr;  // one int on the device, for barrier()
  std::uint64_t last_entered_ = 0;
};

}  // namespace

std::unique_ptr<DeviceGroup> make_nccl_group(const GroupContext& context,
                                             const DeviceChoice& device, const CallInfo& call) {
  const std::string who = call.label() + " on rank " + std::to_string(context.global_rank());
  const NcclLibrary* nccl = nullptr;
  try {
    nccl = &process_nccl_library();
  } catch (const LibraryError& error) {
    throw CollectiveError(who + ": a device buffer needs NCCL, but " + error.what());
  }
  int visible = 0;
  const cudaError_t counted = cudaGetDeviceCount(&visible);
  if (counted != cudaSuccess) {
    throw CollectiveError(who + ": no CUDA device: cudaGetDeviceCount failed (" +
                          cuda_text(counted) + "); check the driver with nvidia-smi");
  }
  if (device.device < 0 || device.device >= visible) {
    throw CollectiveError(who + ": " + device.source + " names GPU " +
                          std::to_string(device.device) + ", but this process sees " +
                          std::to_string(visible) + " GPU" + (visible == 1 ? "" : "s") +
                          " (CUDA_VISIBLE_DEVICES); start at most one process per visible GPU "
                          "on each machine");
  }
  const ncclUniqueId id = share_unique_id(*nccl, context, call);
  auto group = std::make_unique<NcclGroup>(*nccl, context, device);
  group->connect(id, call);
  return group;
}

}  // namespace accel::runtime_detail
