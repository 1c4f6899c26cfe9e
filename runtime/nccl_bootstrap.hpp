// How the ranks of an NCCL communicator get the same ncclUniqueId: rank 0
// creates it (ncclGetUniqueId: no GPU involved) and sets it, hex-encoded,
// at <prefix>nccl/unique_id in the job's store; the others poll for it
// until the call's deadline. Each rank first sets <prefix>nccl/joined/<rank>,
// so a set-up that times out can name the ranks that never came.
//
// The prefix is the communicator's (name and restart attempt), so two
// communicators, or two attempts, never read each other's id.
//
// Errors: CollectiveError naming the call and the missing ranks; a world of
// one needs no store.
// Not thread-safe, like the StoreClient in the context.
#pragma once

#include <nccl.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/collective_group.hpp"
#include "runtime/nccl_library.hpp"

namespace accel::runtime_detail {

std::string encode_unique_id(const ncclUniqueId& id);
std::optional<ncclUniqueId> decode_unique_id(const std::string& text);

// This rank's copy of the communicator's id (a collective call).
ncclUniqueId share_unique_id(const NcclLibrary& nccl, const GroupContext& context,
                             const CallInfo& call);

// The ranks whose joined key is absent, ascending (the store's view).
std::vector<int> ranks_not_joined(const GroupContext& context);

}  // namespace accel::runtime_detail
