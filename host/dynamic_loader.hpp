// The dlopen(3) seam. accel must run where there is no GPU, no driver and no
// NCCL (login nodes, CPU boxes, CI), so NVML and NCCL are never linked: they
// are loaded at run time, and a missing library is a fact ("no GPU"), not an
// error. Behind this interface, tests inject a library that fails to load or
// one whose "symbols" are plain test functions, so every path of the probes
// runs without a GPU.
#pragma once

#include <string>

namespace accel::host {

class DynamicLoader {
 public:
  virtual ~DynamicLoader() = default;
  // The library, or nullptr with `error` saying why (dlerror's text).
  virtual void* open(const char* soname, std::string& error) = 0;
  // The address of `name` in `library`, or nullptr when it has none.
  virtual void* symbol(void* library, const char* name) = 0;
  virtual void close(void* library) = 0;
  // Where the opened library lives on disk, for diagnostics (`accel env`);
  // "" when the loader cannot tell (fakes need not).
  virtual std::string path_of(void* /*library*/) { return ""; }
};

// dlopen(RTLD_NOW | RTLD_LOCAL), dlsym, dlclose. Stateless.
DynamicLoader& system_loader();

// A library opened through a loader, closed when this goes out of scope.
class LoadedLibrary {
 public:
  LoadedLibrary(DynamicLoader& loader, const char* soname);
  ~LoadedLibrary();
  LoadedLibrary(const LoadedLibrary&) = delete;
  LoadedLibrary& operator=(const LoadedLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  // dlerror's text when the library did not load.
  const std::string& error() const { return error_; }
  // The file the library was loaded from, or "" (see DynamicLoader::path_of).
  std::string path() const { return handle_ != nullptr ? loader_.path_of(handle_) : ""; }
  // The symbol as a function pointer of type `Function`, or nullptr.
  template <typename Function>
  Function function(const char* name) const {
    if (handle_ == nullptr) return nullptr;
    // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
    return reinterpret_cast<Function>(loader_.symbol(handle_, name));
  }

 private:
  DynamicLoader& loader_;
  std::string error_;  // dlerror's text; before handle_: the constructor fills it
  void* handle_ = nullptr;
};

}  // namespace accel::host
