// NCCL, loaded at run time: libaccel never links libnccl (DESIGN.md), so one
// build runs against the NCCL of the machine it runs on, and a CPU-only job
// never loads it at all. nccl.h (from the toolkit the runtime is built
// with) gives the types and signatures only; each function the backend uses
// is looked up once, when the library is loaded.
//
// Who loads it: the process-wide process_nccl_library(), loaded on first use
// (a device-buffer collective) and kept for the life of the process, as
// dlopen keeps it anyway. Tests construct their own NcclLibrary from a path
// or a bogus name; nothing global needs resetting.
//
// Requires NCCL 2.14 or newer (non-blocking communicators, ncclAvg, bf16);
// an older one is refused with its version.
//
// Errors: LibraryError (shared_library.hpp) naming the library or symbol and
// what to install or set (LD_LIBRARY_PATH, ACCEL_NCCL_LIBRARY).
// Thread-safety: an NcclLibrary is immutable after construction; its
// functions are NCCL's, with NCCL's thread-safety.
#pragma once

#include <nccl.h>

#include <string>

#include "runtime/shared_library.hpp"

namespace accel::runtime_detail {

// The soname libaccel loads, and the variable that overrides it with a
// file (a different NCCL build, without touching LD_LIBRARY_PATH).
inline constexpr const char* kNcclSoname = "libnccl.so.2";
inline constexpr const char* kNcclLibraryVariable = "ACCEL_NCCL_LIBRARY";
// ncclGetVersion's code of the oldest NCCL accepted (2.14.0).
inline constexpr int kOldestNcclVersion = 21400;

// The NCCL functions the backend calls, as nccl.h declares them.
struct NcclFunctions {
  decltype(&ncclGetVersion) get_version = nullptr;
  decltype(&ncclGetUniqueId) get_unique_id = nullptr;
  decltype(&ncclCommInitRankConfig) comm_init_rank_config = nullptr;
  decltype(&ncclCommGetAsyncError) comm_get_async_error = nullptr;
  decltype(&ncclCommAbort) comm_abort = nullptr;
  decltype(&ncclCommFinalize) comm_finalize = nullptr;
  decltype(&ncclCommDestroy) comm_destroy = nullptr;
  decltype(&ncclAllReduce) all_reduce = nullptr;
  decltype(&ncclReduce) reduce = nullptr;
  decltype(&ncclBroadcast) broadcast = nullptr;
  decltype(&ncclAllGather) all_gather = nullptr;
  decltype(&ncclReduceScatter) reduce_scatter = nullptr;
  decltype(&ncclSend) send = nullptr;
  decltype(&ncclRecv) recv = nullptr;
  decltype(&ncclGroupStart) group_start = nullptr;
  decltype(&ncclGroupEnd) group_end = nullptr;
  decltype(&ncclGetErrorString) get_error_string = nullptr;
  decltype(&ncclGetLastError) get_last_error = nullptr;
};

class NcclLibrary {
 public:
  // Loads `name` (a soname or a path) and looks up every function; throws
  // LibraryError when the library, a symbol or the version is missing.
  explicit NcclLibrary(const std::string& name = kNcclSoname);

  const NcclFunctions& api() const { return api_; }
  // ncclGetVersion's code (22803) and as text ("2.28.3").
  int version_code() const { return version_code_; }
  std::string version() const;
  // The file the library came from, for messages and logs.
  std::string path() const { return library_.path(); }

  // "unhandled cuda error (run with NCCL_DEBUG=INFO for details): <NCCL's
  // last error>" -- NCCL's name of `result` and, when it has one, the
  // detail it recorded for `comm` (null: the last error of any).
  std::string error_text(ncclResult_t result, ncclComm_t comm) const;

 private:
  SharedLibrary library_;
  NcclFunctions api_;
  int version_code_ = 0;
};

// The process's NCCL: ACCEL_NCCL_LIBRARY's file when that is set, else
// libnccl.so.2; loaded by the first caller (thread-safe) and kept. A failed
// load throws and is tried again by the next caller.
const NcclLibrary& process_nccl_library();

}  // namespace accel::runtime_detail
