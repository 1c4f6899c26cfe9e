// What lies where in a shared-memory group's segment (shm_group.hpp has the
// protocol): a header, one control line per member, one data slot per
// member. Every member maps the same bytes; each control line and slot is
// written by its owner only (but the header's counters, which every member
// adds to once), so members never write the same cache line in the hot path.
//
// The atomics live in shared memory, so they must be lock-free (an atomic
// with a lock would put the lock in one process's memory) and address-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace accel::runtime_detail {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free &&
                  std::atomic<std::uint32_t>::is_always_lock_free &&
                  std::atomic<std::int32_t>::is_always_lock_free &&
                  sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the shared-memory group needs lock-free 64-bit atomics");

// Two cache lines: the adjacent-line prefetcher pulls pairs of lines, so one
// line alone would still be shared with the neighbour's.
inline constexpr std::size_t kControlAlignment = 128;
inline constexpr std::size_t kPageSize = 4096;
inline constexpr std::uint64_t kSegmentMagic = 0x6163'6365'6c73'686dULL;  // "accelshm"

struct alignas(kControlAlignment) SegmentHeader {
  std::uint64_t magic;
  std::uint64_t nonce;  // rank 0's random number, also published in the store
  std::uint64_t members;
  std::uint64_t slot_bytes;
  std::atomic<std::uint32_t> mapped;    // members that have mapped the segment
  std::atomic<std::uint32_t> unlinked;  // 1 once the name is gone from /dev/shm
};

// One per member, written by that member only.
struct alignas(kControlAlignment) ControlLine {
  // How many synchronisation steps the member has reached; only grows
  // (modulo 2^32, compared wrap-safe), so nobody ever resets a flag another
  // member might still be reading. 32 bits because it is also the futex
  // word that sleeping peers wait on (shm_wait.hpp).
  std::atomic<std::uint32_t> arrived;
  std::atomic<std::uint32_t> sleepers;  // peers in a futex wait on `arrived`
  std::atomic<std::uint64_t> call;      // the CallInfo::sequence it is in
  std::atomic<std::int32_t> pid;        // 0 until it has mapped the segment
};

constexpr std::size_t round_up(std::size_t value, std::size_t to) {
  return (value + to - 1) / to * to;
}

// The byte offsets of a segment for `members` members with `slot_bytes`
// of data each (slot_bytes a multiple of the page size).
struct SegmentLayout {
  std::size_t members = 0;
  std::size_t slot_bytes = 0;

  std::size_t controls_offset() const { return kPageSize; }
  std::size_t slots_offset() const {
    return kPageSize + round_up(members * sizeof(ControlLine), kPageSize);
  }
  std::size_t total_bytes() const { return slots_offset() + members * slot_bytes; }

  SegmentHeader* header(char* base) const {
    return std::launder(reinterpret_cast<SegmentHeader*>(base));
  }
  ControlLine* control(char* base, std::size_t member) const {
    return std::launder(reinterpret_cast<ControlLine*>(base + controls_offset())) + member;
  }
  char* slot(char* base, std::size_t member) const {
    return base + slots_offset() + member * slot_bytes;
  }
};

}  // namespace accel::runtime_detail
