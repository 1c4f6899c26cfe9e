// A shared library opened with dlopen(3) for the life of this object. The
// runtime loads what a GPU job needs (libnccl.so.2, the driver's
// libcuda.so.1) at run time instead of linking it, so libaccel and `accel`
// load and run where neither exists (DESIGN.md, "Dependencies").
//
// Errors: LibraryError, whose message names the library or symbol, says why
// (dlerror's text) and what to do, e.g. "libnccl.so.2 could not be loaded
// (libnccl.so.2: cannot open shared object file: ...): install NCCL ...".
// Thread-safety: const member functions may be called from any thread.
#pragma once

#include <stdexcept>
#include <string>

namespace accel::runtime_detail {

class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SharedLibrary {
 public:
  // Opens `name` (a soname searched as dlopen does, or a path) with
  // RTLD_NOW | RTLD_LOCAL. `install_hint` ends the error message when the
  // library is missing ("install NCCL 2 or add its lib folder to
  // LD_LIBRARY_PATH").
  SharedLibrary(const std::string& name, const std::string& install_hint);
  SharedLibrary(SharedLibrary&& other) noexcept;
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary();

  // The library's file, as the dynamic linker found it (for messages).
  std::string path() const;
  const std::string& name() const { return name_; }

  // The address of `symbol`; throws LibraryError naming it when the library
  // has none (an older version than the runtime needs).
  void* symbol(const char* symbol) const;

  // `symbol` as a function pointer of the declared type, e.g.
  // library.function<decltype(&ncclGetVersion)>("ncclGetVersion").
  template <typename Function>
  Function function(const char* symbol_name) const {
    // POSIX guarantees a dlsym address converts to a function pointer.
    return reinterpret_cast<Function>(symbol(symbol_name));
  }

 private:
  std::string name_;
  void* handle_ = nullptr;
};

}  // namespace accel::runtime_detail
