// One POSIX shared-memory segment (shm_open + mmap) as an RAII mapping, for
// the shared-memory group (shm_group.hpp). The segment's name is short and
// has no '/' but the leading one (shm_open's rule); it is derived from the
// job, the communicator and the machine (segment_name), so two communicators
// of a job, or two machines simulated on one host, never share one.
//
// The mapping outlives the name: shm_group unlinks the name as soon as every
// member has mapped it, and the memory stays until the last munmap (or the
// last process exits), so nothing is left in /dev/shm whatever happens later.
//
// Errors: base::SystemError naming the call and the segment.
// Not thread-safe; a mapping may be read and written from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace accel::runtime_detail {

// "/accel-<16 hex digits>": a hash of the job id, the communicator's key
// prefix and the global rank of the machine's first member.
std::string segment_name(const std::string& job_id, const std::string& key_prefix,
                         int first_global_rank);

class SharedSegment {
 public:
  // Creates the segment exclusively with `bytes` of zeros and maps it. A
  // segment of that name left by a killed earlier run is unlinked first.
  static SharedSegment create(const std::string& name, std::size_t bytes);
  // Maps an existing segment; throws when it is smaller than `bytes`.
  static SharedSegment open(const std::string& name, std::size_t bytes);

  SharedSegment(SharedSegment&& other) noexcept;
  SharedSegment& operator=(SharedSegment&& other) noexcept;
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;
  ~SharedSegment();

  char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  SharedSegment(char* data, std::size_t size) : data_(data), size_(size) {}
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

// shm_unlink, ignoring a name that is already gone; true when it removed one.
bool unlink_segment(const std::string& name);

}  // namespace accel::runtime_detail
