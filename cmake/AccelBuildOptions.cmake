# One INTERFACE target carries the language level, warnings and sanitizer
# flags; every accel target links it PRIVATE, so nothing is set globally.
add_library(accel_build_options INTERFACE)
add_library(accel::build_options ALIAS accel_build_options)
target_compile_features(accel_build_options INTERFACE cxx_std_20)
target_compile_options(accel_build_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# GCC 12 at -O2 reports -Wrestrict inside libstdc++'s std::string (GCC bug
# 105651) and -Wmaybe-uninitialized on engaged std::optional reads (bug
# 80635): false positives that would fail every optimised -Werror build.
target_compile_options(accel_build_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-maybe-uninitialized>)
if(ACCEL_WERROR)
  target_compile_options(accel_build_options INTERFACE -Werror)
endif()

if(ACCEL_SANITIZER STREQUAL "address")
  set(_accel_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
elseif(ACCEL_SANITIZER STREQUAL "thread")
  set(_accel_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT ACCEL_SANITIZER STREQUAL "")
  message(FATAL_ERROR "ACCEL_SANITIZER must be '', 'address' or 'thread', not '${ACCEL_SANITIZER}'")
endif()
if(_accel_san)
  target_compile_options(accel_build_options INTERFACE ${_accel_san})
  target_link_options(accel_build_options INTERFACE ${_accel_san})
endif()
