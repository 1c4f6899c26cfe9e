// The shared-memory group: the collectives of processes on one machine.
//
// Segment. One POSIX shared-memory segment per communicator and machine,
// named "/accel-<hash>" from the job id, the communicator's store prefix and
// the global rank of the machine's first member (shm_segment.hpp), so
// communicators, attempts and machines simulated on one host never meet.
// Member 0 creates it (exclusively; a stale one from a killed run is
// replaced), writes its header and announces a nonce through the store; the
// others map it and check the nonce. The last member to map it unlinks the
// name at once, and the set-up returns only after that, so from the first
// collective on nothing is left in /dev/shm even when a process is SIGKILLed.
//
// Layout (shm_layout.hpp):
//   page 0      header: magic, nonce, members, slot size, mapped/unlinked
//   pages 1..   one 128-byte control line per member: `arrived` (the steps
//               it reached, also a futex word), `sleepers`, `call` (the
//               collective it is in), its pid
//   then        one data slot per member (4 MiB by default), in two halves
// Each member writes only its own control line and its own slot; the others
// only read them. Nothing is ever reset: `arrived` only grows, so a fast
// member starting the next step can never wipe a flag a slow one still reads.
//
// Protocol. A step is a full barrier: a member stores arrived = s (release)
// and waits until every peer's arrived >= s (acquire), spinning briefly,
// then sleeping in a futex wait on the peer's counter, which the peer wakes
// only when someone sleeps (shm_wait.hpp); every 2 ms of waiting it
// checks the call's deadline (the error names the ranks behind) and whether
// a peer's process ended (through a pidfd: "rank 3 (pid 1234) died during
// all_reduce #5"). Data moves in rounds of at most half a slot; round k
// uses half k % 2 of every slot. A member writes half h in round k only
// after the barrier of round k - 1, which every peer passes only after it
// finished reading round k - 2, the previous user of half h; so one barrier
// per round suffices (two for a split reduction) and no "done reading" flag
// is needed. Every call runs at least one round, even for 0 elements.
//
// Algorithms (n members, B bytes):
//   all_reduce, B <= direct_reduce_bytes or n = 2 (direct): per round, each
//     member copies its input into its slot, one barrier, then reduces its
//     own input and the n - 1 peer slots straight into its output: one
//     round of flags, the latency path; with two members also the
//     bandwidth path (one peer slot read per element either way, and no
//     reduced share to write back and copy out).
//   all_reduce, larger: per round, copy in; barrier; member r reduces its
//     1/n share (64-byte aligned) of all n slots into its own slot (in
//     place); barrier; every member copies the n reduced shares out. Each
//     member reads ~2B and writes ~2B per round, all in parallel.
//   reduce: the same, only the root copies out.
//   reduce_scatter: each member lays its n blocks' chunk side by side in its
//     slot; barrier; member r reduces block r of all slots into its output.
//   broadcast: the root copies into its slot; barrier; the others copy out.
//   all_gather / gather: each copies in; barrier; every member (the root)
//     copies all slots out.
//   barrier: one step.
// Every reduction goes through reduce_elements with the sources in member
// order, so all members get bit-identical results.
//
// Not thread-safe: one thread at a time (the Communicator's rule).
#pragma once

#include <cstddef>
#include <memory>

#include "runtime/collective_group.hpp"
#include "runtime/group_factory.hpp"

namespace accel::runtime_detail {

struct ShmOptions {
  // Data per member; rounds move at most half of it.
  std::size_t slot_bytes = std::size_t{4} << 20U;
  // all_reduce and reduce of at most this many bytes reduce directly from
  // every slot (one barrier); larger ones split the work (two per round),
  // except with two members, which always reduce directly.
  std::size_t direct_reduce_bytes = std::size_t{64} << 10U;
};

// make_shared_memory_group (group_factory.hpp) with ShmOptions{}.
std::unique_ptr<Group> make_shared_memory_group(const GroupContext& context,
                                                const ShmOptions& options);

}  // namespace accel::runtime_detail
