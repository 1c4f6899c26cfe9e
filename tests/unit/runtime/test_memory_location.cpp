// Telling host from device buffers (runtime/memory_location.hpp) without
// creating a CUDA context: here, where no process has the driver loaded,
// every pointer is host memory and the driver is never loaded.
#include <dlfcn.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "runtime/memory_location.hpp"

using accel::runtime_detail::MemoryProbe;

namespace {

bool driver_loaded() {
  void* handle = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);
  return true;
}

}  // namespace

TEST_CASE("memory location: host buffers are host memory, and asking loads no CUDA",
          "[runtime][nccl]") {
  // This test process never uses CUDA, so the driver is not loaded...
  const bool loaded_before = driver_loaded();
  MemoryProbe probe;
  std::vector<float> heap(1024);
  float stack[4] = {};
  CHECK_FALSE(probe.locate(nullptr).on_device);
  CHECK_FALSE(probe.locate(heap.data()).on_device);
  CHECK_FALSE(probe.locate(stack).on_device);
  CHECK(probe.locate(heap.data()).device == -1);
  // ... and asking did not load it.
  CHECK(driver_loaded() == loaded_before);
}

TEST_CASE("memory location: the host check is cheap", "[runtime][nccl]") {
  // Timing belongs in benchmarks; this bounds only gross regressions (a
  // dlopen per call costs ~25 us): 100k calls well under a second.
  MemoryProbe probe;
  std::vector<float> buffer(8);
  const auto start = std::chrono::steady_clock::now();
  int on_device = 0;
  for (int i = 0; i < 100'000; ++i) on_device += probe.locate(buffer.data()).on_device ? 1 : 0;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  CHECK(on_device == 0);
  CHECK(elapsed.count() < 1.0);
}
