#include "runtime/tcp_group.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#include "runtime/group_factory.hpp"
#include "runtime/reduce_kernels.hpp"

namespace accel::runtime_detail {

namespace {

using Send = TcpMesh::Send;
using Receive = TcpMesh::Receive;

// A buffer of `count` elements cut into `parts` blocks as evenly as
// possible, the first count % parts one element longer.
class Blocks {
 public:
  Blocks(std::size_t count, int parts, std::size_t element)
      : base_(count / static_cast<std::size_t>(parts)),
        extra_(count % static_cast<std::size_t>(parts)),
        element_(element) {}

  std::size_t bytes(int block) const {
    return (base_ + (static_cast<std::size_t>(block) < extra_ ? 1 : 0)) * element_;
  }
  std::size_t offset(int block) const {
    const auto index = static_cast<std::size_t>(block);
    return (index * base_ + std::min(index, extra_)) * element_;
  }
  std::size_t largest() const { return (base_ + (extra_ > 0 ? 1 : 0)) * element_; }
  std::size_t element() const { return element_; }

 private:
  std::size_t base_;
  std::size_t extra_;
  std::size_t element_;
};

const std::byte* bytes_of(const void* pointer) {
  return static_cast<const std::byte*>(pointer);
}
std::byte* bytes_of(void* pointer) {
  return static_cast<std::byte*>(pointer);
}

void copy_unless_same(void* to, const void* from, std::size_t bytes) {
  if (bytes > 0 && to != from) std::memcpy(to, from, bytes);
}

class TcpGroup final : public Group {
 public:
  explicit TcpGroup(TcpMesh mesh) : mesh_(std::move(mesh)) {}

  int rank() const override { return mesh_.rank(); }
  int size() const override { return mesh_.size(); }
  std::string describe() const override { return "tcp (" + std::to_string(size()) + " processes)"; }

  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                  const CallInfo& call) override {
    const std::size_t bytes = count * size_of(type);
    if (bytes <= kSmallMessageBytes || count < static_cast<std::size_t>(size())) {
      direct_reduce(send, recv, count, type, op, -1, call);
      return;
    }
    const Blocks blocks(count, size(), size_of(type));
    std::byte* incoming = scratch(0, blocks.largest());
    ring_reduce_scatter(
        bytes_of(send), blocks, type, op, call, [&](int) { return incoming; },
        [&](int, int block) { return bytes_of(recv) + blocks.offset(block); });
    ring_all_gather(bytes_of(recv), blocks, call);
  }

  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op, int root,
              const CallInfo& call) override {
    const std::size_t bytes = count * size_of(type);
    if (bytes <= kSmallMessageBytes || count < static_cast<std::size_t>(size())) {
      direct_reduce(send, recv, count, type, op, root, call);
      return;
    }
    const Blocks blocks(count, size(), size_of(type));
    std::byte* incoming = scratch(0, blocks.largest());
    std::byte* work = rank() == root ? bytes_of(recv) : scratch(1, bytes);
    ring_reduce_scatter(
        bytes_of(send), blocks, type, op, call, [&](int) { return incoming; },
        [&](int, int block) { return work + blocks.offset(block); });
    // Each member's finished block goes to the root.
    std::vector<Send> sends;
    std::vector<Receive> receives;
    if (rank() == root) {
      for (int member = 0; member < size(); ++member) {
        if (member == root) continue;
        receives.push_back(
            {member, bytes_of(recv) + blocks.offset(member), blocks.bytes(member), {}});
      }
    } else {
      sends.push_back({root, work + blocks.offset(rank()), blocks.bytes(rank())});
    }
    mesh_.transfer(sends, receives, call);
  }

  void broadcast(void* buffer, std::size_t count, DataType type, int root,
                 const CallInfo& call) override {
    const std::size_t bytes = count * size_of(type);
    std::vector<Send> sends;
    std::vector<Receive> receives;
    if (bytes <= kSmallMessageBytes || count < static_cast<std::size_t>(size())) {
      if (rank() == root) {
        for (int member = 0; member < size(); ++member) {
          if (member != root) sends.push_back({member, buffer, bytes});
        }
      } else {
        receives.push_back({root, buffer, bytes, {}});
      }
      mesh_.transfer(sends, receives, call);
      return;
    }
    // Scatter the blocks, then all-gather them: the root sends each byte
    // once instead of n - 1 times.
    const Blocks blocks(count, size(), size_of(type));
    if (rank() == root) {
      for (int member = 0; member < size(); ++member) {
        if (member != root) {
          sends.push_back({member, bytes_of(buffer) + blocks.offset(member), blocks.bytes(member)});
        }
      }
    } else {
      receives.push_back(
          {root, bytes_of(buffer) + blocks.offset(rank()), blocks.bytes(rank()), {}});
    }
    mesh_.transfer(sends, receives, call);
    ring_all_gather(bytes_of(buffer), blocks, call);
  }

  void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                  const CallInfo& call) override {
    const std::size_t bytes = count * size_of(type);
    const auto slot = [&](int member) {
      return bytes_of(recv) + static_cast<std::size_t>(member) * bytes;
    };
    copy_unless_same(slot(rank()), send, bytes);
    if (bytes <= kSmallMessageBytes) {
      std::vector<Send> sends;
      std::vector<Receive> receives;
      for (int member = 0; member < size(); ++member) {
        if (member == rank()) continue;
        sends.push_back({member, slot(rank()), bytes});
        receives.push_back({member, slot(member), bytes, {}});
      }
      mesh_.transfer(sends, receives, call);
      return;
    }
    ring_all_gather(bytes_of(recv),
                    Blocks(count * static_cast<std::size_t>(size()), size(), size_of(type)), call);
  }

  void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
              const CallInfo& call) override {
    const std::size_t bytes = count * size_of(type);
    std::vector<Send> sends;
    std::vector<Receive> receives;
    if (rank() == root) {
      for (int member = 0; member < size(); ++member) {
        std::byte* slot = bytes_of(recv) + static_cast<std::size_t>(member) * bytes;
        if (member == root) {
          copy_unless_same(slot, send, bytes);
        } else {
          receives.push_back({member, slot, bytes, {}});
        }
      }
    } else {
      sends.push_back({root, send, bytes});
    }
    mesh_.transfer(sends, receives, call);
  }

  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                      ReduceOp op, const CallInfo& call) override {
    const std::size_t bytes = recv_count * size_of(type);
    const std::size_t total = bytes * static_cast<std::size_t>(size());
    if (total <= kSmallMessageBytes || size() == 1) {
      direct_reduce_scatter(send, recv, recv_count, type, op, call);
      return;
    }
    // Two alternating buffers: a step receives into one and reduces in
    // place while the next step's send still reads the other.
    const Blocks blocks(recv_count * static_cast<std::size_t>(size()), size(), size_of(type));
    std::array<std::byte*, 2> incoming{scratch(0, bytes), scratch(1, bytes)};
    const int last_step = size() - 2;
    ring_reduce_scatter(
        bytes_of(send), blocks, type, op, call, [&](int step) { return incoming[step % 2]; },
        [&](int step, int) { return step == last_step ? bytes_of(recv) : incoming[step % 2]; });
  }

  void barrier(const CallInfo& call) override {
    // One byte each way between every two members: no one leaves before
    // everyone has arrived.
    const std::byte token{1};
    std::vector<std::byte> tokens(static_cast<std::size_t>(size()));
    std::vector<Send> sends;
    std::vector<Receive> receives;
    for (int member = 0; member < size(); ++member) {
      if (member == rank()) continue;
      sends.push_back({member, &token, 1});
      receives.push_back({member, &tokens[static_cast<std::size_t>(member)], 1, {}});
    }
    mesh_.transfer(sends, receives, call);
  }

 private:
  int member_at(int offset) const { return ((rank() + offset) % size() + size()) % size(); }

  std::byte* scratch(int which, std::size_t bytes) {
    std::vector<std::byte>& buffer = scratch_[static_cast<std::size_t>(which)];
    if (buffer.size() < bytes) buffer.resize(bytes);
    return buffer.data();
  }

  // The n - 1 reduce-scatter steps of the ring. Step s sends block
  // (rank - s - 1) -- this member's input at step 0, after that the result
  // of step s - 1 -- and receives block (rank - s - 2) into incoming(s),
  // which it reduces with its own input into result(s, block) as it
  // arrives. After the last step result(n - 2, rank) holds block `rank`
  // reduced over every member.
  void ring_reduce_scatter(const std::byte* input, const Blocks& blocks, DataType type, ReduceOp op,
                           const CallInfo& call, const std::function<std::byte*(int)>& incoming,
                           const std::function<std::byte*(int, int)>& result) {
    const std::size_t element = blocks.element();
    const std::byte* previous = nullptr;
    for (int step = 0; step + 1 < size(); ++step) {
      const int send_block = member_at(-step - 1);
      const int recv_block = member_at(-step - 2);
      const std::byte* outgoing = step == 0 ? input + blocks.offset(send_block) : previous;
      std::byte* arriving = incoming(step);
      std::byte* reduced_into = result(step, recv_block);
      const std::byte* own = input + blocks.offset(recv_block);
      std::size_t reduced = 0;  // elements
      auto reduce_arrived = [&](std::size_t arrived_bytes) {
        const std::size_t ready = arrived_bytes / element;
        if (ready <= reduced) return;
        const std::size_t at = reduced * element;
        const std::array<const void*, 2> sources{own + at, arriving + at};
        reduce_elements(reduced_into + at, sources, ready - reduced, type, op);
        reduced = ready;
      };
      const std::array<Send, 1> sends{Send{member_at(1), outgoing, blocks.bytes(send_block)}};
      std::array<Receive, 1> receives{
          Receive{member_at(-1), arriving, blocks.bytes(recv_block), reduce_arrived}};
      mesh_.transfer(sends, receives, call, TcpMesh::Waiting::kRoundRing);
      reduce_arrived(blocks.bytes(recv_block));
      previous = reduced_into;
    }
    if (size() == 1) {
      copy_unless_same(result(0, 0), input, blocks.bytes(0));
    }
  }

  // The n - 1 all-gather steps of the ring over `buffer`, where this
  // member's block is in place: step s passes block (rank - s) on and
  // receives block (rank - s - 1).
  void ring_all_gather(std::byte* buffer, const Blocks& blocks, const CallInfo& call) {
    for (int step = 0; step + 1 < size(); ++step) {
      const int send_block = member_at(-step);
      const int recv_block = member_at(-step - 1);
      const std::array<Send, 1> sends{
          Send{member_at(1), buffer + blocks.offset(send_block), blocks.bytes(send_block)}};
      std::array<Receive, 1> receives{
          Receive{member_at(-1), buffer + blocks.offset(recv_block), blocks.bytes(recv_block), {}}};
      mesh_.transfer(sends, receives, call, TcpMesh::Waiting::kRoundRing);
    }
  }

  // Small all_reduce (root < 0) or reduce: every member sends its whole
  // buffer to every member that needs the result, which reduces them in
  // member order.
  void direct_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                     int root, const CallInfo& call) {
    const std::size_t bytes = count * size_of(type);
    const bool needs_result = root < 0 || root == rank();
    std::byte* arrived =
        needs_result ? scratch(0, bytes * static_cast<std::size_t>(size())) : nullptr;
    std::vector<Send> sends;
    std::vector<Receive> receives;
    for (int member = 0; member < size(); ++member) {
      if (member == rank()) continue;
      if (root < 0 || member == root) sends.push_back({member, send, bytes});
      if (needs_result) {
        receives.push_back({member, arrived + static_cast<std::size_t>(member) * bytes, bytes, {}});
      }
    }
    mesh_.transfer(sends, receives, call);
    if (!needs_result || count == 0) return;
    std::vector<const void*> sources;
    for (int member = 0; member < size(); ++member) {
      sources.push_back(member == rank() ? send
                                         : arrived + static_cast<std::size_t>(member) * bytes);
    }
    reduce_elements(recv, sources, count, type, op);
  }

  // Small reduce_scatter: block j of every member goes straight to member
  // j, which reduces the blocks in member order.
  void direct_reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                             ReduceOp op, const CallInfo& call) {
    const std::size_t bytes = recv_count * size_of(type);
    const auto block = [&](const void* buffer, int member) {
      return bytes_of(buffer) + static_cast<std::size_t>(member) * bytes;
    };
    std::byte* arrived = scratch(0, bytes * static_cast<std::size_t>(size()));
    const auto slot = [&](int member) {
      return arrived + static_cast<std::size_t>(member) * bytes;
    };
    std::vector<Send> sends;
    std::vector<Receive> receives;
    for (int member = 0; member < size(); ++member) {
      if (member == rank()) continue;
      sends.push_back({member, block(send, member), bytes});
      receives.push_back({member, slot(member), bytes, {}});
    }
    mesh_.transfer(sends, receives, call);
    if (recv_count == 0) return;
    std::vector<const void*> sources;
    for (int member = 0; member < size(); ++member) {
      sources.push_back(member == rank() ? block(send, member) : slot(member));
    }
    reduce_elements(recv, sources, recv_count, type, op);
  }

  TcpMesh mesh_;
  std::array<std::vector<std::byte>, 2> scratch_;
};

}  // namespace

std::unique_ptr<Group> make_tcp_group_at(const GroupContext& context,
                                         const std::string& advertised_host) {
  return std::make_unique<TcpGroup>(TcpMesh::connect(context, advertised_host));
}

std::unique_ptr<Group> make_tcp_group(const GroupContext& context) {
  return make_tcp_group_at(context, "");
}

}  // namespace accel::runtime_detail
