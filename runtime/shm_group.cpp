#include "runtime/shm_group.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/group_factory.hpp"
#include "runtime/reduce_kernels.hpp"
#include "runtime/shm_channel.hpp"

namespace accel::runtime_detail {

namespace {

constexpr std::size_t kCacheLine = 64;

char* byte_ptr(void* pointer) {
  return static_cast<char*>(pointer);
}
const char* byte_ptr(const void* pointer) {
  return static_cast<const char*>(pointer);
}

void copy_bytes(void* dst, const void* src, std::size_t bytes) {
  if (bytes > 0 && dst != src) std::memcpy(dst, src, bytes);
}

// Member `member`'s share of `count` elements split n ways on cache-line
// boundaries (the last shares may be short or empty): [begin, end).
struct Share {
  std::size_t begin;
  std::size_t end;
  std::size_t size() const { return end - begin; }
};
Share share_of(int member, int members, std::size_t count, std::size_t element_size) {
  const std::size_t line = kCacheLine / element_size;
  const std::size_t per = round_up((count + members - 1) / members, line);
  const std::size_t begin = std::min(count, per * static_cast<std::size_t>(member));
  return {begin, std::min(count, begin + per)};
}

class ShmGroup final : public Group {
 public:
  ShmGroup(std::unique_ptr<ShmChannel> channel, const ShmOptions& options)
      : channel_(std::move(channel)),
        options_(options),
        sources_(static_cast<std::size_t>(channel_->size())) {}

  int rank() const override { return channel_->rank(); }
  int size() const override { return channel_->size(); }
  std::string describe() const override {
    return "shared memory (" + std::to_string(size()) + " processes)";
  }

  void all_reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                  const CallInfo& call) override {
    reduce_to(send, recv, count, type, op, kEveryone, call);
  }

  void reduce(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op, int root,
              const CallInfo& call) override {
    reduce_to(send, recv, count, type, op, root, call);
  }

  void broadcast(void* buffer, std::size_t count, DataType type, int root,
                 const CallInfo& call) override {
    channel_->begin(call);
    const std::size_t element = size_of(type);
    for_each_round(count, channel_->round_bytes() / element,
                   [&](std::size_t offset, std::size_t length, int half) {
                     const std::size_t bytes = length * element;
                     char* data = byte_ptr(buffer) + offset * element;
                     if (rank() == root) copy_bytes(channel_->slot(root, half), data, bytes);
                     channel_->sync(call);
                     if (rank() != root) copy_bytes(data, channel_->slot(root, half), bytes);
                   });
  }

  void all_gather(const void* send, void* recv, std::size_t count, DataType type,
                  const CallInfo& call) override {
    gather_to(send, recv, count, type, kEveryone, call);
  }

  void gather(const void* send, void* recv, std::size_t count, DataType type, int root,
              const CallInfo& call) override {
    gather_to(send, recv, count, type, root, call);
  }

  void reduce_scatter(const void* send, void* recv, std::size_t recv_count, DataType type,
                      ReduceOp op, const CallInfo& call) override {
    channel_->begin(call);
    const std::size_t element = size_of(type);
    const auto members = static_cast<std::size_t>(size());
    // Each round's slot holds one chunk of every block, side by side, each
    // starting on a cache line (the set-up keeps room for 64 bytes each).
    const std::size_t stride = channel_->round_bytes() / members / kCacheLine * kCacheLine;
    const std::size_t block_bytes = recv_count * element;
    for_each_round(
        recv_count, stride / element, [&](std::size_t offset, std::size_t length, int half) {
          const std::size_t bytes = length * element;
          char* own_slot = channel_->slot(rank(), half);
          for (std::size_t block = 0; block < members; ++block) {
            copy_bytes(own_slot + block * stride,
                       byte_ptr(send) + block * block_bytes + offset * element, bytes);
          }
          channel_->sync(call);
          for (int member = 0; member < size(); ++member) {
            sources_[static_cast<std::size_t>(member)] =
                channel_->slot(member, half) + static_cast<std::size_t>(rank()) * stride;
          }
          if (length > 0) {
            reduce_elements(byte_ptr(recv) + offset * element, sources_, length, type, op);
          }
        });
  }

  void barrier(const CallInfo& call) override {
    channel_->begin(call);
    channel_->sync(call);
  }

 private:
  static constexpr int kEveryone = -1;

  // Runs body(offset, length, half) over [0, count) in rounds of at most
  // `per_round` elements; one round (of length 0) when count is 0, so every
  // call synchronises.
  template <typename Body>
  void for_each_round(std::size_t count, std::size_t per_round, Body&& body) {
    std::size_t offset = 0;
    do {
      const std::size_t length = std::min(per_round, count - offset);
      body(offset, length, channel_->next_round());
      offset += length;
    } while (offset < count);
  }

  bool receives(int root) const { return root == kEveryone || root == rank(); }

  // Whether a reduction of `bytes` takes the direct path. With two members
  // it always does: each member then reads one peer slot per element either
  // way, and the direct path writes less (no reduced share to copy back out)
  // and needs one barrier per round instead of two. With more members the
  // split keeps each member's reads at ~2 per element instead of n.
  bool reduces_directly(std::size_t bytes) const {
    return size() == 2 || bytes <= options_.direct_reduce_bytes;
  }

  // all_reduce (root kEveryone) and reduce.
  void reduce_to(const void* send, void* recv, std::size_t count, DataType type, ReduceOp op,
                 int root, const CallInfo& call) {
    channel_->begin(call);
    const std::size_t element = size_of(type);
    const std::size_t per_round = channel_->round_bytes() / element;
    if (reduces_directly(count * element)) {
      for_each_round(count, per_round, [&](std::size_t offset, std::size_t length, int half) {
        const char* own = byte_ptr(send) + offset * element;
        copy_bytes(channel_->slot(rank(), half), own, length * element);
        channel_->sync(call);
        if (receives(root) && length > 0) {
          // The own part straight from the input, which is still in this
          // core's cache; only the peers' parts come through their slots.
          point_sources_at(half, 0);
          sources_[static_cast<std::size_t>(rank())] = own;
          reduce_elements(byte_ptr(recv) + offset * element, sources_, length, type, op);
        }
      });
      return;
    }
    for_each_round(count, per_round, [&](std::size_t offset, std::size_t length, int half) {
      copy_bytes(channel_->slot(rank(), half), byte_ptr(send) + offset * element, length * element);
      channel_->sync(call);
      const Share own = share_of(rank(), size(), length, element);
      if (own.size() > 0) {
        point_sources_at(half, own.begin * element);
        reduce_elements(channel_->slot(rank(), half) + own.begin * element, sources_, own.size(),
                        type, op);
      }
      channel_->sync(call);
      if (!receives(root)) return;
      for (int member = 0; member < size(); ++member) {
        const Share share = share_of(member, size(), length, element);
        copy_bytes(byte_ptr(recv) + (offset + share.begin) * element,
                   channel_->slot(member, half) + share.begin * element, share.size() * element);
      }
    });
  }

  // all_gather (root kEveryone) and gather.
  void gather_to(const void* send, void* recv, std::size_t count, DataType type, int root,
                 const CallInfo& call) {
    channel_->begin(call);
    const std::size_t element = size_of(type);
    const std::size_t block_bytes = count * element;
    // The own block never travels through the slots (in place it is there).
    if (receives(root)) {
      copy_bytes(byte_ptr(recv) + static_cast<std::size_t>(rank()) * block_bytes, send,
                 block_bytes);
    }
    for_each_round(
        count, channel_->round_bytes() / element,
        [&](std::size_t offset, std::size_t length, int half) {
          const std::size_t bytes = length * element;
          copy_bytes(channel_->slot(rank(), half), byte_ptr(send) + offset * element, bytes);
          channel_->sync(call);
          if (!receives(root)) return;
          for (int member = 0; member < size(); ++member) {
            if (member == rank()) continue;
            copy_bytes(
                byte_ptr(recv) + static_cast<std::size_t>(member) * block_bytes + offset * element,
                channel_->slot(member, half), bytes);
          }
        });
  }

  void point_sources_at(int half, std::size_t byte_offset) {
    for (int member = 0; member < size(); ++member) {
      sources_[static_cast<std::size_t>(member)] = channel_->slot(member, half) + byte_offset;
    }
  }

  std::unique_ptr<ShmChannel> channel_;
  ShmOptions options_;
  std::vector<const void*> sources_;  // one per member, reused by every call
};

}  // namespace

std::unique_ptr<Group> make_shared_memory_group(const GroupContext& context,
                                                const ShmOptions& options) {
  return std::make_unique<ShmGroup>(ShmChannel::join(context, options.slot_bytes), options);
}

std::unique_ptr<Group> make_shared_memory_group(const GroupContext& context) {
  return make_shared_memory_group(context, ShmOptions{});
}

}  // namespace accel::runtime_detail
