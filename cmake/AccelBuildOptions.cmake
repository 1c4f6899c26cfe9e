# One INTERFACE target carries the language level, warnings and sanitizer
# flags; every accel target links it PRIVATE, so nothing is set globally.
add_library(accel_build_options INTERFACE)
add_library(accel::build_options ALIAS accel_build_options)
target_compile_features(accel_build_options INTERFACE cxx_std_20)
# The warnings are the C++ compiler's; .cu files (cmake/AccelCuda.cmake) get
# nvcc's own set below, since nvcc rejects most of these flags.
set(_accel_cxx $<COMPILE_LANGUAGE:CXX>)
set(_accel_cxx_warnings
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
target_compile_options(accel_build_options INTERFACE "$<${_accel_cxx}:${_accel_cxx_warnings}>")
# GCC 12 at -O2 reports -Wrestrict inside libstdc++'s std::string (GCC bug
# 105651) and -Wmaybe-uninitialized on engaged std::optional reads (bug
# 80635): false positives that would fail every optimised -Werror build.
target_compile_options(accel_build_options INTERFACE
  "$<$<AND:${_accel_cxx},$<CXX_COMPILER_ID:GNU>>:-Wno-restrict;-Wno-maybe-uninitialized>")
# nvcc: its own diagnostics plus the host compiler's -Wall/-Wextra on the
# host half of .cu files. Not -Wpedantic: nvcc's generated host code uses
# GNU line markers, which pedantic GCC reports in every file.
target_compile_options(accel_build_options INTERFACE
  $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
if(ACCEL_WERROR)
  target_compile_options(accel_build_options INTERFACE
    $<${_accel_cxx}:-Werror>
    "$<$<COMPILE_LANGUAGE:CUDA>:--Werror=all-warnings;-Xcompiler=-Werror>")
endif()

if(ACCEL_SANITIZER STREQUAL "address")
  set(_accel_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
elseif(ACCEL_SANITIZER STREQUAL "thread")
  set(_accel_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT ACCEL_SANITIZER STREQUAL "")
  message(FATAL_ERROR "ACCEL_SANITIZER must be '', 'address' or 'thread', not '${ACCEL_SANITIZER}'")
endif()
if(_accel_san)
  # Host code only: nvcc's device code cannot be instrumented (the GPU has
  # compute-sanitizer, tests/gpu/cuda_kernels.sh).
  target_compile_options(accel_build_options INTERFACE "$<${_accel_cxx}:${_accel_san}>")
  target_link_options(accel_build_options INTERFACE ${_accel_san})
endif()
