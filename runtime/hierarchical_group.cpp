#include "runtime/hierarchical_group.hpp"

#include <cstring>
#include <stdexcept>

#include "runtime/group_factory.hpp"

namespace accel::runtime_detail {

namespace {

std::byte* at(void* buffer, std::size_t bytes) {
  return static_cast<std::byte*>(buffer) + bytes;
}

}  // namespace

HierarchicalGroup::HierarchicalGroup(std::unique_ptr<Group> local, std::unique_ptr<Group> leaders,
                                     int machine, int machines)
    : local_(std::move(local)),
      leaders_(std::move(leaders)),
      machine_(machine),
      machines_(machines),
      per_machine_(local_->size()),
      local_rank_(local_->rank()) {
  if ((leaders_ != nullptr) != is_leader() ||
      (leaders_ && (leaders_->size() != machines_ || leaders_->rank() != machine_))) {
    throw std::invalid_argument(
        "HierarchicalGroup: the leaders' group must exist exactly on each machine's first "
        "process, with the machine's index as its rank");
  }
  description_ = local_->describe() + " within each machine + " +
                 (leaders_ ? leaders_->describe() : std::string("tcp")) + " between " +
                 std::to_string(machines_) + " machines";
}

template <typename Body>
void HierarchicalGroup::run(const CallInfo& call, Body&& body) {
  if (!broken_.empty()) {
    throw CollectiveError(call.label() + " on rank " + std::to_string(rank()) +
                          ": this group failed earlier (" + broken_ + ")");
  }
  try {
    body();
  } catch (const CollectiveError& error) {
    broken_ = error.what();
    // Closing our connections tells the other machines at once; the
    // processes of this machine learn it from their own group.
    leaders_.reset();
    local_.reset();
    throw;
  }
}

std::byte* HierarchicalGroup::scratch(int which, std::size_t bytes) {
  std::vector<std::byte>& buffer = scratch_[static_cast<std::size_t>(which)];
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer.data();
}

void HierarchicalGroup::all_reduce(const void* send, void* recv, std::size_t count, DataType type,
                                   ReduceOp op, const CallInfo& call) {
  run(call, [&] {
    local_->reduce(send, recv, count, type, op, 0, call);
    if (leaders_) leaders_->all_reduce(recv, recv, count, type, op, call);
    local_->broadcast(recv, count, type, 0, call);
  });
}

void HierarchicalGroup::reduce(const void* send, void* recv, std::size_t count, DataType type,
                               ReduceOp op, int root, const CallInfo& call) {
  const int root_machine = root / per_machine_;
  const int root_local = root % per_machine_;
  const bool is_root = root == rank();
  run(call, [&] {
    // The machine's sum collects at its leader: in recv when the leader is
    // the root, else in scratch.
    void* sum = is_root ? recv : (is_leader() ? scratch(0, count * size_of(type)) : nullptr);
    local_->reduce(send, sum, count, type, op, 0, call);
    if (leaders_) leaders_->reduce(sum, sum, count, type, op, root_machine, call);
    if (machine_ == root_machine && root_local != 0) {
      // The root's machine leader hands the result on.
      void* buffer = is_root || is_leader() ? sum : scratch(0, count * size_of(type));
      local_->broadcast(buffer, count, type, 0, call);
    }
  });
}

void HierarchicalGroup::broadcast(void* buffer, std::size_t count, DataType type, int root,
                                  const CallInfo& call) {
  const int root_machine = root / per_machine_;
  const int root_local = root % per_machine_;
  run(call, [&] {
    const bool root_machine_has_it = machine_ == root_machine && root_local != 0;
    if (root_machine_has_it) local_->broadcast(buffer, count, type, root_local, call);
    if (leaders_) leaders_->broadcast(buffer, count, type, root_machine, call);
    if (!root_machine_has_it) local_->broadcast(buffer, count, type, 0, call);
  });
}

void HierarchicalGroup::all_gather(const void* send, void* recv, std::size_t count, DataType type,
                                   const CallInfo& call) {
  const std::size_t machine_count = count * static_cast<std::size_t>(per_machine_);
  void* machine_block =
      at(recv, static_cast<std::size_t>(machine_) * machine_count * size_of(type));
  run(call, [&] {
    local_->gather(send, machine_block, count, type, 0, call);
    if (leaders_) leaders_->all_gather(machine_block, recv, machine_count, type, call);
    local_->broadcast(recv, machine_count * static_cast<std::size_t>(machines_), type, 0, call);
  });
}

void HierarchicalGroup::gather(const void* send, void* recv, std::size_t count, DataType type,
                               int root, const CallInfo& call) {
  const int root_machine = root / per_machine_;
  const int root_local = root % per_machine_;
  const bool is_root = root == rank();
  const std::size_t machine_bytes = count * static_cast<std::size_t>(per_machine_) * size_of(type);
  const std::size_t total_bytes = machine_bytes * static_cast<std::size_t>(machines_);
  run(call, [&] {
    // The leader of the root's machine collects everything (in recv when it
    // is the root); the other leaders only their machine's block.
    void* collected = nullptr;
    void* machine_block = nullptr;
    if (is_leader()) {
      if (machine_ == root_machine) {
        collected = is_root ? recv : scratch(0, total_bytes);
        machine_block = at(collected, static_cast<std::size_t>(machine_) * machine_bytes);
      } else {
        machine_block = scratch(0, machine_bytes);
      }
    }
    local_->gather(send, machine_block, count, type, 0, call);
    if (leaders_) {
      leaders_->gather(machine_block, collected, count * static_cast<std::size_t>(per_machine_),
                       type, root_machine, call);
    }
    if (machine_ == root_machine && root_local != 0) {
      void* buffer = is_root ? recv : (is_leader() ? collected : scratch(0, total_bytes));
      local_->broadcast(buffer, count * static_cast<std::size_t>(size()), type, 0, call);
    }
  });
}

void HierarchicalGroup::reduce_scatter(const void* send, void* recv, std::size_t recv_count,
                                       DataType type, ReduceOp op, const CallInfo& call) {
  const std::size_t element = size_of(type);
  const std::size_t machine_count = recv_count * static_cast<std::size_t>(per_machine_);
  const std::size_t total_count = machine_count * static_cast<std::size_t>(machines_);
  run(call, [&] {
    // The machine's sum of the whole buffer at its leader; the leaders
    // reduce-scatter it by machine (in place: each keeps its machine's
    // block); the leader hands each process of its machine its part.
    std::byte* machine_block = nullptr;
    if (is_leader()) {
      std::byte* sum = scratch(0, total_count * element);
      local_->reduce(send, sum, total_count, type, op, 0, call);
      machine_block = sum + static_cast<std::size_t>(machine_) * machine_count * element;
      leaders_->reduce_scatter(sum, machine_block, machine_count, type, op, call);
    } else {
      local_->reduce(send, nullptr, total_count, type, op, 0, call);
      machine_block = scratch(0, machine_count * element);
    }
    local_->broadcast(machine_block, machine_count, type, 0, call);
    const std::byte* mine =
        machine_block + static_cast<std::size_t>(local_rank_) * recv_count * element;
    if (recv_count > 0) std::memmove(recv, mine, recv_count * element);
  });
}

void HierarchicalGroup::barrier(const CallInfo& call) {
  run(call, [&] {
    local_->barrier(call);
    if (leaders_) leaders_->barrier(call);
    local_->barrier(call);
  });
}

std::unique_ptr<Group> make_hierarchical_group_of(const GroupContext& context, int per_machine,
                                                  const GroupMaker& make_local,
                                                  const GroupMaker& make_leaders) {
  if (per_machine < 1 || context.size() % per_machine != 0) {
    throw std::invalid_argument(
        "the hierarchical collectives need the same number of processes "
        "on every machine: " +
        std::to_string(context.size()) + " processes do not split into " + "machines of " +
        std::to_string(per_machine));
  }
  const int machines = context.size() / per_machine;
  const int machine = context.rank / per_machine;
  const auto first =
      context.global_ranks.begin() + static_cast<std::ptrdiff_t>(machine) * per_machine;

  GroupContext local = context;
  local.key_prefix = context.key_prefix + "machine" + std::to_string(machine) + "/";
  local.rank = context.rank % per_machine;
  local.global_ranks.assign(first, first + per_machine);
  std::unique_ptr<Group> local_group = make_local(local);

  std::unique_ptr<Group> leaders_group;
  if (local.rank == 0) {
    GroupContext leaders = context;
    leaders.key_prefix = context.key_prefix + "leaders/";
    leaders.rank = machine;
    leaders.global_ranks.clear();
    for (int k = 0; k < machines; ++k) {
      leaders.global_ranks.push_back(
          context.global_ranks[static_cast<std::size_t>(k * per_machine)]);
    }
    leaders_group = make_leaders(leaders);
  }
  return std::make_unique<HierarchicalGroup>(std::move(local_group), std::move(leaders_group),
                                             machine, machines);
}

std::unique_ptr<Group> make_hierarchical_group(const GroupContext& context, int per_machine) {
  return make_hierarchical_group_of(context, per_machine, make_shared_memory_group, make_tcp_group);
}

}  // namespace accel::runtime_detail
