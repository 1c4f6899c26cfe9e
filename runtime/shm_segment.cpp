#include "runtime/shm_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "base/system_error.hpp"
#include "base/unique_fd.hpp"

namespace accel::runtime_detail {

namespace {

// FNV-1a, 64 bits: the name only has to tell communicators apart, and a
// collision would be caught by the nonce check in shm_group.
std::uint64_t hash_text(std::uint64_t hash, const std::string& text) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

char* map_shared(int fd, std::size_t bytes, const std::string& name) {
  void* data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    throw base::SystemError("mmap of shared-memory segment " + name, errno, ACCEL_HERE);
  }
  return static_cast<char*>(data);
}

}  // namespace

std::string segment_name(const std::string& job_id, const std::string& key_prefix,
                         int first_global_rank) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  hash = hash_text(hash, job_id);
  hash = hash_text(hash, std::string(1, '\0') + key_prefix + '\0');
  hash = hash_text(hash, std::to_string(first_global_rank));
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return std::string("/accel-") + text;
}

SharedSegment SharedSegment::create(const std::string& name, std::size_t bytes) {
  const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
  base::UniqueFd fd(::shm_open(name.c_str(), flags, 0600));
  if (!fd.valid() && errno == EEXIST) {
    // Only a killed earlier run of this very job and communicator leaves
    // this name behind (live runs unlink it once mapped): it is garbage.
    unlink_segment(name);
    fd.reset(::shm_open(name.c_str(), flags, 0600));
  }
  if (!fd.valid()) throw base::SystemError("shm_open (create) " + name, errno, ACCEL_HERE);
  try {
    ACCEL_CHECK_SYSCALL(
        ::ftruncate(fd.get(), static_cast<off_t>(bytes)),
        ("ftruncate of shared-memory segment " + name + " (is /dev/shm large enough?)").c_str());
    return SharedSegment(map_shared(fd.get(), bytes, name), bytes);
  } catch (...) {
    unlink_segment(name);
    throw;
  }
}

SharedSegment SharedSegment::open(const std::string& name, std::size_t bytes) {
  base::UniqueFd fd(::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0));
  if (!fd.valid()) throw base::SystemError("shm_open " + name, errno, ACCEL_HERE);
  struct stat status {};
  ACCEL_CHECK_SYSCALL(::fstat(fd.get(), &status), ("fstat " + name).c_str());
  if (static_cast<std::size_t>(status.st_size) < bytes) {
    throw base::SystemError("shared-memory segment " + name + " is smaller than expected", EINVAL,
                            ACCEL_HERE);
  }
  return SharedSegment(map_shared(fd.get(), bytes, name), bytes);
}

SharedSegment::SharedSegment(SharedSegment&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SharedSegment& SharedSegment::operator=(SharedSegment&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedSegment::~SharedSegment() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

bool unlink_segment(const std::string& name) {
  if (::shm_unlink(name.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throw base::SystemError("shm_unlink " + name, errno, ACCEL_HERE);
}

}  // namespace accel::runtime_detail
