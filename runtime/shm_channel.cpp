#include "runtime/shm_channel.hpp"

#include <unistd.h>

#include <atomic>
#include <random>
#include <utility>

#include "base/system_error.hpp"
#include "runtime/message_text.hpp"

namespace accel::runtime_detail {

namespace {

using std::chrono::steady_clock;

std::chrono::milliseconds remaining(steady_clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

// On the way out of a failed set-up; the error being thrown says more.
void unlink_quietly(const std::string& name) noexcept {
  try {
    unlink_segment(name);
  } catch (const base::SystemError&) {
  }
}

std::uint64_t random_nonce() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
}

// Member 0: the segment, zeroed by ftruncate, with its header written and
// its atomics constructed before anyone else can see it.
SharedSegment create_segment(const std::string& name, const SegmentLayout& layout,
                             std::uint64_t nonce) {
  SharedSegment segment = SharedSegment::create(name, layout.total_bytes());
  auto* header = new (segment.data()) SegmentHeader{};
  header->magic = kSegmentMagic;
  header->nonce = nonce;
  header->members = layout.members;
  header->slot_bytes = layout.slot_bytes;
  for (std::size_t member = 0; member < layout.members; ++member) {
    new (layout.control(segment.data(), member)) ControlLine{};
  }
  std::atomic_thread_fence(std::memory_order_release);
  return segment;
}

// The others: the segment member 0 announced, checked to be that one.
SharedSegment open_segment(const std::string& name, const SegmentLayout& layout,
                           std::uint64_t nonce) {
  SharedSegment segment = SharedSegment::open(name, layout.total_bytes());
  std::atomic_thread_fence(std::memory_order_acquire);
  const SegmentHeader& header = *layout.header(segment.data());
  if (header.magic != kSegmentMagic || header.nonce != nonce || header.members != layout.members ||
      header.slot_bytes != layout.slot_bytes) {
    throw base::SystemError("shared-memory segment " + name +
                                " is not the one this group's first member announced "
                                "(another job of the same ACCEL_JOB_ID?)",
                            EEXIST, ACCEL_HERE);
  }
  return segment;
}

}  // namespace

ShmChannel::ShmChannel(const GroupContext& context, std::string name, SegmentLayout layout,
                       SharedSegment segment)
    : rank_(context.rank),
      size_(context.size()),
      global_ranks_(context.global_ranks),
      timeout_(context.timeout),
      name_(std::move(name)),
      layout_(layout),
      segment_(std::move(segment)),
      spins_(spins_for(size_)) {}

std::unique_ptr<ShmChannel> ShmChannel::join(const GroupContext& context, std::size_t slot_bytes) {
  const auto deadline = steady_clock::now() + context.timeout;
  const int first_global = context.global_ranks.at(0);
  const std::string where = "rank " + std::to_string(context.global_ranks.at(context.rank));
  SegmentLayout layout;
  layout.members = static_cast<std::size_t>(context.size());
  // Two halves, each split into 64-byte blocks per member by reduce_scatter.
  layout.slot_bytes = round_up(std::max(slot_bytes, 2 * layout.members * 64), kPageSize);
  const std::string name =
      runtime_detail::segment_name(context.job_id, context.key_prefix, first_global);
  const std::string ready_key =
      context.key_prefix + "shm/" + std::to_string(first_global) + "/ready";
  bool may_own_name = context.rank == 0;
  try {
    std::unique_ptr<ShmChannel> channel;
    if (context.rank == 0) {
      const std::uint64_t nonce = random_nonce();
      channel.reset(new ShmChannel(context, name, layout, create_segment(name, layout, nonce)));
      if (context.size() > 1) context.store->set(ready_key, std::to_string(nonce));
    } else {
      const std::string nonce = context.store->wait(ready_key, remaining(deadline));
      may_own_name = true;
      channel.reset(
          new ShmChannel(context, name, layout, open_segment(name, layout, std::stoull(nonce))));
    }
    channel->wait_until_everyone_mapped(deadline);
    return channel;
  } catch (const rendezvous::StoreError& error) {
    if (may_own_name) unlink_quietly(name);
    throw CollectiveError("shared-memory set-up on " + where + " failed waiting for rank " +
                          std::to_string(first_global) + " to create the segment " + name +
                          " (within " + duration_text(context.timeout) + "): " + error.what() +
                          "; did every process of this machine create its communicator?");
  } catch (const base::SystemError& error) {
    if (may_own_name) unlink_quietly(name);
    throw CollectiveError("shared-memory set-up on " + where + " failed: " + error.what() +
                          "; check that /dev/shm is mounted and has room");
  } catch (...) {
    if (may_own_name) unlink_quietly(name);
    throw;
  }
}

void ShmChannel::wait_until_everyone_mapped(steady_clock::time_point deadline) {
  SegmentHeader& header = *layout_.header(segment_.data());
  control(rank_).pid.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
  if (header.mapped.fetch_add(1, std::memory_order_acq_rel) + 1 == layout_.members) {
    // The last one to map: from now on the memory lives only in mappings.
    unlink_segment(name_);
    header.unlinked.store(1, std::memory_order_release);
  }
  std::vector<bool> watched(layout_.members, false);
  const auto watch_new_members = [&] {
    for (int member = 0; member < size_; ++member) {
      const auto index = static_cast<std::size_t>(member);
      const auto pid = control(member).pid.load(std::memory_order_relaxed);
      if (pid != 0 && !watched[index]) {
        liveness_.watch(index, pid);
        watched[index] = true;
      }
    }
  };
  const auto check = [&] {
    watch_new_members();
    std::vector<int> absent;
    for (int member = 0; member < size_; ++member) {
      const auto pid = control(member).pid.load(std::memory_order_relaxed);
      if (pid == 0) absent.push_back(global_rank(member));
      if (pid != 0 && liveness_.has_ended(static_cast<std::size_t>(member))) {
        throw CollectiveError("shared-memory set-up on rank " + std::to_string(global_rank(rank_)) +
                              " failed: rank " + std::to_string(global_rank(member)) + " (pid " +
                              std::to_string(pid) + ") died before the segment " + name_ +
                              " was ready; see the launcher's summary for why it ended");
      }
    }
    if (steady_clock::now() >= deadline) {
      throw CollectiveError("shared-memory set-up on rank " + std::to_string(global_rank(rank_)) +
                            " timed out after " + duration_text(timeout_) + ": " +
                            ranks_text(absent) + " did not map the segment " + name_ +
                            "; did every process of this machine create its communicator?");
    }
  };
  wait_until([&] { return header.unlinked.load(std::memory_order_acquire) == 1; }, check);
  watch_new_members();
}

void ShmChannel::begin(const CallInfo& call) {
  control(rank_).call.store(call.sequence, std::memory_order_relaxed);
}

void ShmChannel::sync(const CallInfo& call) {
  const std::uint32_t step = ++steps_;
  ControlLine& own = control(rank_);
  post_step(own.arrived, own.sleepers, step);
  for (int member = 0; member < size_; ++member) {
    if (member == rank_) continue;
    ControlLine& line = control(member);
    wait_for_step(line.arrived, line.sleepers, step, spins_, [&] { check_peers(call, step); });
  }
}

// Runs every few milliseconds while a member waits: a dead peer fails the
// call at once, a passed deadline names everyone behind.
void ShmChannel::check_peers(const CallInfo& call, std::uint32_t step) const {
  for (int member = 0; member < size_; ++member) {
    const ControlLine& line = control(member);
    if (reached(line.arrived.load(std::memory_order_acquire), step) ||
        !liveness_.has_ended(static_cast<std::size_t>(member))) {
      continue;
    }
    // It may have posted this step just before it exited.
    if (reached(line.arrived.load(std::memory_order_acquire), step)) continue;
    const std::uint64_t its_call = line.call.load(std::memory_order_relaxed);
    const std::string during = its_call == call.sequence
                                   ? "during " + call.label()
                                   : "after collective #" + std::to_string(its_call);
    throw CollectiveError(call.label() + " on rank " + std::to_string(global_rank(rank_)) +
                          " failed: rank " + std::to_string(global_rank(member)) + " (pid " +
                          std::to_string(line.pid.load(std::memory_order_relaxed)) + ") died " +
                          during + "; see the launcher's summary for why it ended");
  }
  if (steady_clock::now() >= call.deadline) fail_timeout(call, step);
}

void ShmChannel::fail_timeout(const CallInfo& call, std::uint32_t step) const {
  std::vector<int> behind;
  std::string where;
  for (int member = 0; member < size_; ++member) {
    const ControlLine& line = control(member);
    if (reached(line.arrived.load(std::memory_order_acquire), step)) continue;
    behind.push_back(global_rank(member));
    if (!where.empty()) where += ", ";
    where += "rank " + std::to_string(global_rank(member)) + " is at collective #" +
             std::to_string(line.call.load(std::memory_order_relaxed));
  }
  throw CollectiveError(call.label() + " on rank " + std::to_string(global_rank(rank_)) +
                        " timed out after " + duration_text(timeout_) + ": " + ranks_text(behind) +
                        " did not arrive (" + where +
                        "); every process must call the same collectives in the same order; "
                        "if they are only slow, raise ACCEL_RUNTIME_TIMEOUT");
}

}  // namespace accel::runtime_detail
