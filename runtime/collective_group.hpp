// The parts behind accel::Communicator (accel/collectives.hpp): a Group is a
// set of processes that run collectives together over one transport --
// shared memory within a machine (shm_group.hpp), TCP between machines
// (tcp_group.hpp), one process (self_group.hpp) -- and the hierarchical
// group composes a machine's shared-memory group with a TCP group of the
// machines' first processes (hierarchical_group.hpp).
//
// The Communicator checks the arguments, turns avg into sum followed by a
// division, numbers the calls, and hands each group call a CallInfo; groups
// see sum, min and max only, and assume valid arguments (same count, type,
// op and root on every member; in-place as accel/collectives.hpp defines
// it). A group throws CollectiveError naming the call ("all_reduce #17"),
// this process's rank and the global ranks that did not arrive or failed;
// after that the group is broken and the Communicator throws at once.
// Not thread-safe: one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "accel/collectives.hpp"
#include "rendezvous/store_client.hpp"

namespace accel::runtime_detail {

using Clock = std::chrono::steady_clock;

// One collective call as the Communicator numbered it.
struct CallInfo {
  const char* name = "";       // "all_reduce", "broadcast", ...
  std::uint64_t sequence = 0;  // 1 for the communicator's first call
  Clock::time_point deadline;  // throw CollectiveError past this

  // "all_reduce #17", for messages.
  std::string label() const { return std::string(name) + " #" + std::to_string(sequence); }
};

// What a group needs to set itself up: where its members meet, who they are.
struct GroupContext {
  rendezvous::StoreClient* store = nullptr;  // null for a world of one
  std::string key_prefix;                    // unique per communicator and attempt, ends in '/'
  std::string job_id;                        // ACCEL_JOB_ID, names shared-memory segments
  std::string token;                         // ACCEL_JOB_TOKEN, proves TCP peers (may be empty)
  int rank = 0;                              // this process's index in `global_ranks`
  // The job's global rank of each member, for messages (member i is RANK
  // global_ranks[i]); the members of one machine are consecutive.
  std::vector<int> global_ranks;
  std::chrono::milliseconds timeout{600'000};

  int size() const { return static_cast<int>(global_ranks.size()); }
  // This process's rank in the job, for messages.
  int global_rank() const { return global_ranks.at(static_cast<std::size_t>(rank)); }
};

class Group {
 public:
  virtual ~Group() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string describe() const = 0;

  virtual void all_reduce(const void* send, void* recv, std::size_t count, DataType type,
                          ReduceOp op, const CallInfo& call) = 0;
  virtual void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                      int root, const CallInfo& call) = 0;
  virtual void broadcast(void* buffer, std::size_t count, DataType type, int root,
                         const CallInfo& call) = 0;
  virtual void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                          const CallInfo& call) = 0;
  virtual void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
                      const CallInfo& call) = 0;
  virtual void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                              ReduceOp op, const CallInfo& call) = 0;
  virtual void barrier(const CallInfo& call) = 0;
};

}  // namespace accel::runtime_detail
