#include "supervisor/syscall.hpp"

#include <cstring>
#include <filesystem>

namespace accel::supervisor {

namespace {
std::string describe(const std::string& what_failed, int error_number, SourcePlace where) {
  return what_failed + ": " + std::strerror(error_number) + " (" +
         std::filesystem::path(where.file).filename().string() + ":" + std::to_string(where.line) +
         ")";
}
}  // namespace

SystemError::SystemError(const std::string& what_failed, int error_number, SourcePlace where)
    : std::runtime_error(describe(what_failed, error_number, where)), error_number_(error_number) {}

}  // namespace accel::supervisor
