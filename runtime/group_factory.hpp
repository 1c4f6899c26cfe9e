// Where each kind of Group (collective_group.hpp) is made; the Communicator
// picks one by the job's shape: one process -> self, one machine -> shared
// memory, several machines -> hierarchical (shared memory within each
// machine, TCP between them). Each factory is a collective call over the
// members in `context` and throws CollectiveError when they do not all
// arrive within context.timeout.
#pragma once

#include <memory>

#include "runtime/collective_group.hpp"

namespace accel::runtime_detail {

// A world of one: every collective is a copy (self_group.cpp).
std::unique_ptr<Group> make_self_group(int global_rank);

// The members share one machine (shm_group.cpp).
std::unique_ptr<Group> make_shared_memory_group(const GroupContext& context);

// Any members, anywhere; one TCP connection per pair that talks (tcp_group.cpp).
std::unique_ptr<Group> make_tcp_group(const GroupContext& context);

// Members on `machines` machines, `per_machine` consecutive members on each
// (hierarchical_group.cpp).
std::unique_ptr<Group> make_hierarchical_group(const GroupContext& context, int per_machine);

}  // namespace accel::runtime_detail
