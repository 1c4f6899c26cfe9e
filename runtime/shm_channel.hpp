// The shared memory a shared-memory group's members meet in, and the one
// synchronisation step its algorithms are built from (shm_group.hpp has the
// protocol and the layout's reasons).
//
// join() is the set-up, a collective call over the members in the context:
// member 0 creates the segment and announces it through the store, the
// others map it, and the last one to map it unlinks its name. sync() is a
// full barrier through sequence numbers in the segment. slot() is a
// member's data area for one round; rounds alternate between the two halves
// of every slot, which is what lets one barrier per round suffice.
//
// Errors: CollectiveError naming the call, this member's global rank and the
// global ranks that did not arrive or died.
// Not thread-safe: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/collective_group.hpp"
#include "runtime/shm_layout.hpp"
#include "runtime/shm_segment.hpp"
#include "runtime/shm_wait.hpp"

namespace accel::runtime_detail {

class ShmChannel {
 public:
  // `slot_bytes` per member, rounded up to whole pages.
  static std::unique_ptr<ShmChannel> join(const GroupContext& context, std::size_t slot_bytes);

  int rank() const { return rank_; }
  int size() const { return size_; }
  int global_rank(int member) const { return global_ranks_[static_cast<std::size_t>(member)]; }
  const std::string& segment_name() const { return name_; }

  // Marks the start of a collective (what a timeout reports the members at).
  void begin(const CallInfo& call);
  // Posts this member's next step and returns once every member posted it.
  void sync(const CallInfo& call);

  // Bytes of one round's half of a slot (a multiple of 64).
  std::size_t round_bytes() const { return layout_.slot_bytes / 2; }
  // Starts the next round: the slot half every member uses in it.
  int next_round() { return static_cast<int>(rounds_++ & 1U); }
  char* slot(int member, int half) const {
    return layout_.slot(segment_.data(), static_cast<std::size_t>(member)) +
           static_cast<std::size_t>(half) * round_bytes();
  }

 private:
  ShmChannel(const GroupContext& context, std::string name, SegmentLayout layout,
             SharedSegment segment);
  ControlLine& control(int member) const {
    return *layout_.control(segment_.data(), static_cast<std::size_t>(member));
  }
  void wait_until_everyone_mapped(std::chrono::steady_clock::time_point deadline);
  [[noreturn]] void fail_timeout(const CallInfo& call, std::uint32_t step) const;
  void check_peers(const CallInfo& call, std::uint32_t step) const;

  int rank_;
  int size_;
  std::vector<int> global_ranks_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  SegmentLayout layout_;
  SharedSegment segment_;
  PeerLiveness liveness_;
  int spins_;                // before yielding, in each wait (shm_wait.hpp)
  std::uint32_t steps_ = 0;  // wraps, compared wrap-safe
  std::uint64_t rounds_ = 0;
};

}  // namespace accel::runtime_detail
