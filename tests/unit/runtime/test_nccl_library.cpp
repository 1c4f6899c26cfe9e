// Loading NCCL at run time (runtime/nccl_library.hpp). NCCL's version query
// needs no GPU, so the real library is loaded and asked here too.
#include <catch2/catch.hpp>

#include <string>

#include "runtime/nccl_library.hpp"

using accel::runtime_detail::LibraryError;
using accel::runtime_detail::NcclLibrary;

TEST_CASE("nccl library: a library that is not there says what to install", "[runtime][nccl]") {
  try {
    NcclLibrary library("libnccl-that-does-not-exist.so.2");
    FAIL("loaded a library that does not exist");
  } catch (const LibraryError& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Contains("libnccl-that-does-not-exist.so.2 could not be loaded"));
    CHECK_THAT(message, Catch::Contains("install NCCL 2"));
    CHECK_THAT(message, Catch::Contains("LD_LIBRARY_PATH"));
    CHECK_THAT(message, Catch::Contains("ACCEL_NCCL_LIBRARY"));
  }
}

TEST_CASE("nccl library: a library without NCCL's symbols is refused naming the symbol",
          "[runtime][nccl]") {
  // libm is on every machine and has no ncclGetVersion.
  try {
    NcclLibrary library("libm.so.6");
    FAIL("took libm for NCCL");
  } catch (const LibraryError& error) {
    CHECK_THAT(error.what(), Catch::Contains("has no symbol ncclGetVersion"));
  }
}

TEST_CASE("nccl library: the toolkit's libnccl.so.2 loads and reports its version",
          "[runtime][nccl]") {
  // The file CMake found beside the toolkit (LD_LIBRARY_PATH need not name it).
  const NcclLibrary library(ACCEL_TEST_NCCL_LIBRARY);
  CHECK(library.version_code() >= 21400);
  CHECK(library.version() == std::to_string(NCCL_MAJOR) + "." + std::to_string(NCCL_MINOR) + "." +
                                 std::to_string(NCCL_PATCH));
  CHECK(library.path().find("libnccl") != std::string::npos);
  CHECK_THAT(library.error_text(ncclInvalidArgument, nullptr), Catch::Contains("invalid argument"));
}
