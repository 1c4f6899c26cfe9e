#include "supervisor/syscall.hpp"

#include <cstring>
#include <filesystem>

namespace accel::supervisor {

namespace {
std::string describe(const std::string& what_failed, int error_number,
                     const std::source_location& where) {
  return what_failed + ": " + std::strerror(error_number) + " (" +
         std::filesystem::path(where.file_name()).filename().string() + ":" +
         std::to_string(where.line()) + ")";
}
}  // namespace

SystemError::SystemError(const std::string& what_failed, int error_number,
                         std::source_location where)
    : std::runtime_error(describe(what_failed, error_number, where)), error_number_(error_number) {}

}  // namespace accel::supervisor
