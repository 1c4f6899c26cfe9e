#include "runtime/shared_library.hpp"

#include <dlfcn.h>
#include <link.h>

#include <utility>

namespace accel::runtime_detail {

namespace {

std::string last_dl_error(const std::string& fallback) {
  const char* reason = ::dlerror();
  return reason != nullptr ? std::string(reason) : fallback;
}

}  // namespace

SharedLibrary::SharedLibrary(const std::string& name, const std::string& install_hint)
    : name_(name), handle_(::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {
  if (handle_ == nullptr) {
    throw LibraryError(name + " could not be loaded (" + last_dl_error("no reason given") +
                       "): " + install_hint);
  }
}

SharedLibrary::SharedLibrary(SharedLibrary&& other) noexcept
    : name_(std::move(other.name_)), handle_(std::exchange(other.handle_, nullptr)) {}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) ::dlclose(handle_);
    name_ = std::move(other.name_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

SharedLibrary::~SharedLibrary() {
  // dlclose only drops a reference: a library still in use elsewhere in the
  // process (NCCL opened by torch too) stays mapped.
  if (handle_ != nullptr) ::dlclose(handle_);
}

std::string SharedLibrary::path() const {
  link_map* map = nullptr;
  if (handle_ == nullptr || ::dlinfo(handle_, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr ||
      map->l_name == nullptr) {
    return name_;
  }
  return map->l_name;
}

void* SharedLibrary::symbol(const char* symbol) const {
  ::dlerror();  // clear an older error, so the one below is dlsym's
  void* address = ::dlsym(handle_, symbol);
  if (address == nullptr) {
    throw LibraryError(path() + " has no symbol " + symbol + " (" + last_dl_error("not found") +
                       "): the library is older than accel needs; install a newer one or point "
                       "LD_LIBRARY_PATH at it");
  }
  return address;
}

}  // namespace accel::runtime_detail
