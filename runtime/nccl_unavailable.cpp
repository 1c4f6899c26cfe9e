// The device backend of a libaccel built without the CUDA toolkit: device
// buffers are refused with what to do (nccl_group.hpp).
#include "runtime/nccl_group.hpp"

namespace accel::runtime_detail {

std::unique_ptr<DeviceGroup> make_nccl_group(const GroupContext& /*context*/,
                                             const DeviceChoice& /*device*/, const CallInfo& call) {
  throw CollectiveError(call.label() +
                        ": libaccel was built without CUDA, so it cannot run collectives on "
                        "device buffers; rebuild it where the CUDA toolkit is found "
                        "(-DACCEL_CUDA=ON), or pass host buffers");
}

}  // namespace accel::runtime_detail
