// The collectives over TCP (a TcpMesh, tcp_mesh.hpp): the group between
// machines, one member per machine under the hierarchical group, or any
// members anywhere.
//
// Algorithms. Large messages go round a ring (member i sends to i + 1 and
// receives from i - 1, both at once): all_reduce is a reduce-scatter
// followed by an all-gather, each n - 1 steps of one block, and the reduce
// of a step runs on the part of the block that has arrived while the rest
// is still in flight; each member sends and receives 2 (n - 1) / n of the
// buffer, the least any algorithm can. reduce_scatter and all_gather are
// the two halves alone, reduce is a reduce-scatter then a gather of the
// blocks at the root, broadcast scatters the root's blocks then
// all-gathers them. Small messages (kSmallMessageBytes), where the ring's
// n - 1 round trips dominate, go directly: every member sends its buffer
// to whoever needs it in one step, and each reduces what it got in member
// order. Either way every member reduces the same elements in the same
// order, so all results are bit-identical (fp16 and bf16 partial sums are
// rounded at each ring step, as NCCL's are).
//
// Errors and thread-safety: as TcpMesh and Group.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "runtime/collective_group.hpp"
#include "runtime/tcp_mesh.hpp"

namespace accel::runtime_detail {

// Messages up to this many bytes per member skip the ring.
inline constexpr std::size_t kSmallMessageBytes = 64 * 1024;

// Connects the members of `context` (a collective call), advertising
// `advertised_host` (empty: the local address of the store connection).
std::unique_ptr<Group> make_tcp_group_at(const GroupContext& context,
                                         const std::string& advertised_host);

}  // namespace accel::runtime_detail
