// Where a collective's buffer lives -- host memory (the CPU backend) or a
// CUDA device's memory (NCCL) -- decided per call, so callers pass either
// without saying which (accel/collectives.hpp).
//
// The rule that matters: asking must never create a CUDA context in a
// process that has not used CUDA (a context costs ~300 MB of GPU memory and
// ~0.3 s per process, and a CPU job on a GPU machine must not pay it). So
// the probe never initialises CUDA itself:
//   1. While the driver library (libcuda.so.1) is not loaded in the process,
//      nothing in it can have allocated device memory: every pointer is
//      host memory. Whether it is loaded is asked of the dynamic linker only
//      when the set of loaded libraries changed (dl_iterate_phdr's load
//      counter, ~20 ns), so the CPU path stays in the tens of nanoseconds.
//   2. Once it is loaded, cuPointerGetAttributes answers (the memory type
//      and the device). Before anyone called cuInit it fails with
//      CUDA_ERROR_NOT_INITIALIZED: again, nothing can be device memory.
// The driver is used directly, not cudaPointerGetAttributes, because the
// runtime API initialises itself (and a context) on its first call.
//
// Device and managed memory count as device memory; pinned (page-locked)
// host memory is host memory, which the CPU backend reads directly.
//
// Errors: LibraryError when libcuda.so.1 is loaded but lacks the symbol;
// std::runtime_error when the driver fails in an unexpected way.
// Thread-safety: one thread at a time per probe (the Communicator's rule).
#pragma once

#include <optional>
#include <utility>

#include "runtime/shared_library.hpp"

namespace accel::runtime_detail {

struct MemoryLocation {
  bool on_device = false;
  int device = -1;  // the CUDA device ordinal (within CUDA_VISIBLE_DEVICES) when on_device
};

class MemoryProbe {
 public:
  // Host memory for null pointers.
  MemoryLocation locate(const void* pointer);
  // Both buffers of a call, asking the dynamic linker once.
  std::pair<MemoryLocation, MemoryLocation> locate(const void* first, const void* second);

 private:
  using PointerGetAttributes = int (*)(unsigned int, int*, void**, unsigned long long);

  // The driver's cuPointerGetAttributes once libcuda.so.1 is in the
  // process, else null.
  PointerGetAttributes driver_query();
  static MemoryLocation ask_driver(PointerGetAttributes get_attributes, const void* pointer);

  std::optional<SharedLibrary> driver_;  // holds libcuda.so.1 once another part loaded it
  PointerGetAttributes get_attributes_ = nullptr;
  unsigned long long libraries_loaded_ = 0;  // dl_iterate_phdr's count when last looked
};

}  // namespace accel::runtime_detail
