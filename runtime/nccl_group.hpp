// The processes of a Communicator as one NCCL communicator: the backend of
// collectives on CUDA device buffers (accel/collectives.hpp, "GPU buffers").
// The Communicator makes it on the first device-buffer call, so a job that
// only uses host buffers never loads NCCL nor touches CUDA.
//
// Set-up (a collective call): rank 0 creates NCCL's unique id and puts it
// in the job's store under the communicator's key prefix (unique per
// communicator name and attempt); the others wait for it until the call's
// deadline. Each rank records that it joined, so a set-up that times out
// names the ranks that never came. The communicator is made non-blocking
// (ncclConfig_t::blocking = 0) on the rank's device and its set-up polled
// with ncclCommGetAsyncError until it is done, fails, or the deadline passes.
//
// Device: ACCEL_LOCAL_DEVICE (set by accel launch) else LOCAL_RANK, an index
// within CUDA_VISIBLE_DEVICES; there is no modulo: a rank whose index has no
// GPU is refused, since NCCL cannot put two ranks of one communicator on one
// GPU. Every buffer must be on that device. The caller's current device is
// left as it was.
//
// Collectives are enqueued on the caller's stream and return, as NCCL's do
// (null = the legacy default stream). The only polling on that path is for
// ncclInProgress, which a non-blocking communicator returns while it
// connects (lazily, on the first calls); then the call waits, supervised by
// the deadline. Completion is supervised where the caller waits for it:
// synchronize() and barrier() poll the stream and ncclCommGetAsyncError
// until the work is done, NCCL reports an error, or the deadline passes.
//
// Errors: CollectiveError naming the call ("all_reduce #17"), the rank, its
// device, and NCCL's or CUDA's message. On a timeout every waiting rank
// publishes the last collective it entered (the store, only then -- the hot
// path never touches it), waits a short grace period for the others', and
// names the ranks that are behind or never reported (nccl_progress.hpp).
// Any failure aborts the NCCL communicator (ncclCommAbort) and breaks the
// group for good.
//
// This header has no CUDA type: streams are `void*` (a cudaStream_t), so
// the Communicator compiles the same with or without the toolkit.
// Not thread-safe: one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "runtime/collective_group.hpp"

namespace accel::runtime_detail {

// Which device a rank's NCCL communicator uses, and where that came from.
struct DeviceChoice {
  int device = 0;
  std::string source;  // "ACCEL_LOCAL_DEVICE=1" or "LOCAL_RANK=1", for messages
};

class DeviceGroup {
 public:
  virtual ~DeviceGroup() = default;
  virtual std::string describe() const = 0;

  // NCCL's collectives with accel's argument conventions (as Group's, in
  // collective_group.hpp); `op` includes kAvg, which NCCL does itself.
  virtual void all_reduce(const void* send, void* recv, std::size_t count, DataType type,
                          ReduceOp op, void* stream, const CallInfo& call) = 0;
  virtual void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                      int root, void* stream, const CallInfo& call) = 0;
  virtual void broadcast(void* buffer, std::size_t count, DataType type, int root, void* stream,
                         const CallInfo& call) = 0;
  virtual void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                          void* stream, const CallInfo& call) = 0;
  // Point-to-point sends to the root in one NCCL group call.
  virtual void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
                      void* stream, const CallInfo& call) = 0;
  virtual void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                              ReduceOp op, void* stream, const CallInfo& call) = 0;
  // A one-element all_reduce on the device, then synchronize().
  virtual void barrier(void* stream, const CallInfo& call) = 0;
  // Waits until the work enqueued on `stream` is done, supervised by
  // call.deadline and NCCL's asynchronous errors.
  virtual void synchronize(void* stream, const CallInfo& call) = 0;
};

// Sets up the members of `context` as one NCCL communicator on `device`
// (a collective call, bounded by call.deadline). Throws CollectiveError.
std::unique_ptr<DeviceGroup> make_nccl_group(const GroupContext& context,
                                             const DeviceChoice& device, const CallInfo& call);

}  // namespace accel::runtime_detail
