#include "runtime/nccl_library.hpp"

#include <cstdlib>

namespace accel::runtime_detail {

namespace {

constexpr const char* kInstallHint =
    "NCCL is needed for collectives on GPU buffers: install NCCL 2 (e.g. the libnccl2 package, "
    "or the nvidia-nccl-cu* wheel that PyTorch uses), add the folder holding libnccl.so.2 to "
    "LD_LIBRARY_PATH, or set ACCEL_NCCL_LIBRARY to the file";

// ncclGetVersion's code as "major.minor.patch": 22803 -> "2.28.3"; before
// NCCL 2.9 the code was major*1000 + minor*100 + patch.
std::string version_text(int code) {
  const bool old_encoding = code < 10000;
  const int major = old_encoding ? code / 1000 : code / 10000;
  const int minor = old_encoding ? code % 1000 / 100 : code % 10000 / 100;
  const int patch = code % 100;
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace

NcclLibrary::NcclLibrary(const std::string& name) : library_(name, kInstallHint) {
  // Looked up here, all at once, so a library too old fails at load with
  // the missing name rather than in the middle of a job.
#define ACCEL_NCCL_FUNCTION(member, symbol) \
  api_.member = library_.function<decltype(api_.member)>(#symbol)
  ACCEL_NCCL_FUNCTION(get_version, ncclGetVersion);
  ACCEL_NCCL_FUNCTION(get_unique_id, ncclGetUniqueId);
  ACCEL_NCCL_FUNCTION(comm_init_rank_config, ncclCommInitRankConfig);
  ACCEL_NCCL_FUNCTION(comm_get_async_error, ncclCommGetAsyncError);
  ACCEL_NCCL_FUNCTION(comm_abort, ncclCommAbort);
  ACCEL_NCCL_FUNCTION(comm_finalize, ncclCommFinalize);
  ACCEL_NCCL_FUNCTION(comm_destroy, ncclCommDestroy);
  ACCEL_NCCL_FUNCTION(all_reduce, ncclAllReduce);
  ACCEL_NCCL_FUNCTION(reduce, ncclReduce);
  ACCEL_NCCL_FUNCTION(broadcast, ncclBroadcast);
  ACCEL_NCCL_FUNCTION(all_gather, ncclAllGather);
  ACCEL_NCCL_FUNCTION(reduce_scatter, ncclReduceScatter);
  ACCEL_NCCL_FUNCTION(send, ncclSend);
  ACCEL_NCCL_FUNCTION(recv, ncclRecv);
  ACCEL_NCCL_FUNCTION(group_start, ncclGroupStart);
  ACCEL_NCCL_FUNCTION(group_end, ncclGroupEnd);
  ACCEL_NCCL_FUNCTION(get_error_string, ncclGetErrorString);
  ACCEL_NCCL_FUNCTION(get_last_error, ncclGetLastError);
#undef ACCEL_NCCL_FUNCTION
  // ncclGetVersion needs no GPU and no driver.
  const ncclResult_t result = api_.get_version(&version_code_);
  if (result != ncclSuccess) {
    throw LibraryError("ncclGetVersion in " + path() + " failed: " + error_text(result, nullptr));
  }
  if (version_code_ < kOldestNcclVersion) {
    throw LibraryError(path() + " is NCCL " + version() + "; accel needs NCCL " +
                       version_text(kOldestNcclVersion) +
                       " or newer (non-blocking communicators): install a newer NCCL or set " +
                       kNcclLibraryVariable + " to one");
  }
}

std::string NcclLibrary::version() const {
  return version_text(version_code_);
}

std::string NcclLibrary::error_text(ncclResult_t result, ncclComm_t comm) const {
  std::string text = api_.get_error_string(result);
  const char* detail = api_.get_last_error(comm);
  if (detail != nullptr && *detail != '\0') text += std::string(": ") + detail;
  return text;
}

const NcclLibrary& process_nccl_library() {
  // A function-local static: initialised once even when several threads
  // (communicators) ask at once; if the load throws, the next call retries.
  static const NcclLibrary library = [] {
    const char* file = std::getenv(kNcclLibraryVariable);  // NOLINT(concurrency-mt-unsafe)
    return NcclLibrary(file != nullptr && *file != '\0' ? file : kNcclSoname);
  }();
  return library;
}

}  // namespace accel::runtime_detail
