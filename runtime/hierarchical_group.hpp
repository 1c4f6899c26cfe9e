// Collectives over several machines with the same number of processes each
// (ranks of one machine consecutive): a group within each machine (shared
// memory) and a group of the machines' first processes, the leaders (TCP).
//
// Each collective runs as steps at the two levels, so what crosses the
// network is one buffer per machine, not per process: all_reduce reduces
// within the machine to its leader, all-reduces between the leaders and
// broadcasts within the machine; all_gather gathers the machine's block at
// its leader, all-gathers the blocks between the leaders, broadcasts;
// reduce_scatter reduces within the machine, reduce-scatters the machines'
// blocks between the leaders and hands each process its part; a root on
// another machine is reached through its machine's leader.
//
// Errors: whatever the two groups throw. On the first failure this group
// drops both (closing the leaders' TCP connections, so the other machines
// fail promptly instead of waiting for their timeout) and is broken.
// Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/collective_group.hpp"

namespace accel::runtime_detail {

class HierarchicalGroup final : public Group {
 public:
  // `local`: this machine's processes (its member i is member
  // machine * local->size() + i of this group); `leaders`: one member per
  // machine, machine k's first process as member k, on the leaders only
  // (null on the others).
  HierarchicalGroup(std::unique_ptr<Group> local, std::unique_ptr<Group> leaders, int machine,
                    int machines);

  int rank() const override { return machine_ * per_machine_ + local_rank_; }
  int size() const override { return machines_ * per_machine_; }
  std::string describe() const override { return description_; }

  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                  const CallInfo& call) override;
  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op, int root,
              const CallInfo& call) override;
  void broadcast(void* buffer, std::size_t count, DataType type, int root,
                 const CallInfo& call) override;
  void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                  const CallInfo& call) override;
  void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
              const CallInfo& call) override;
  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                      ReduceOp op, const CallInfo& call) override;
  void barrier(const CallInfo& call) override;

 private:
  bool is_leader() const { return local_rank_ == 0; }
  // Runs one collective's steps; drops both groups when one throws.
  template <typename Body>
  void run(const CallInfo& call, Body&& body);
  std::byte* scratch(int which, std::size_t bytes);

  std::unique_ptr<Group> local_;
  std::unique_ptr<Group> leaders_;
  int machine_;
  int machines_;
  int per_machine_;
  int local_rank_;
  std::string description_;
  std::string broken_;
  std::array<std::vector<std::byte>, 2> scratch_;
};

// Makes the group of the members in a context (a collective call over them).
using GroupMaker = std::function<std::unique_ptr<Group>(const GroupContext&)>;

// Splits `context` into machines of `per_machine` consecutive members and
// builds the two levels: make_local over each machine's members (key
// prefix + "machine<k>/"), then make_leaders over the machines' first
// members (key prefix + "leaders/"). make_hierarchical_group
// (group_factory.hpp) passes the shared-memory and TCP factories; tests
// pass others.
std::unique_ptr<Group> make_hierarchical_group_of(const GroupContext& context, int per_machine,
                                                  const GroupMaker& make_local,
                                                  const GroupMaker& make_leaders);

}  // namespace accel::runtime_detail
