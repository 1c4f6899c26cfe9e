#include "host/dynamic_loader.hpp"

#include <dlfcn.h>
#include <link.h>

namespace accel::host {

namespace {

class SystemLoader : public DynamicLoader {
 public:
  void* open(const char* soname, std::string& error) override {
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* reason = ::dlerror();
      error = reason != nullptr ? reason : std::string(soname) + ": cannot be loaded";
    }
    return handle;
  }
  void* symbol(void* library, const char* name) override { return ::dlsym(library, name); }
  void close(void* library) override { ::dlclose(library); }
  std::string path_of(void* library) override {
    link_map* map = nullptr;
    if (::dlinfo(library, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr)
      return "";
    return map->l_name;
  }
};

}  // namespace

DynamicLoader& system_loader() {
  static SystemLoader loader;  // stateless: nothing for tests to reset
  return loader;
}

LoadedLibrary::LoadedLibrary(DynamicLoader& loader, const char* soname)
    : loader_(loader), handle_(loader_.open(soname, error_)) {}

LoadedLibrary::~LoadedLibrary() {
  if (handle_ != nullptr) loader_.close(handle_);
}

}  // namespace accel::host
