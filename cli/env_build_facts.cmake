# What `accel env` reports as "built against": the CUDA toolkit the top-level
# CMakeLists found, and the NCCL headers next to it (or on the system include
# path), read from nccl.h's version macros. The binary links neither; these
# say which versions the runtime's GPU parts were compiled for.
set(ACCEL_BUILT_WITH_CUDA "")
if(CUDAToolkit_FOUND)
  set(ACCEL_BUILT_WITH_CUDA "${CUDAToolkit_VERSION}")
endif()
set(ACCEL_BUILT_WITH_NCCL "")
find_path(ACCEL_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
if(ACCEL_NCCL_INCLUDE_DIR)
  file(STRINGS "${ACCEL_NCCL_INCLUDE_DIR}/nccl.h" _accel_nccl_lines
       REGEX "^#define NCCL_(MAJOR|MINOR|PATCH) +[0-9]+")
  foreach(_part MAJOR MINOR PATCH)
    set(_accel_nccl_${_part} "")
    foreach(_line ${_accel_nccl_lines})
      if(_line MATCHES "^#define NCCL_${_part} +([0-9]+)")
        set(_accel_nccl_${_part} "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endforeach()
  if(NOT _accel_nccl_MAJOR STREQUAL "")
    set(ACCEL_BUILT_WITH_NCCL "${_accel_nccl_MAJOR}.${_accel_nccl_MINOR}.${_accel_nccl_PATCH}")
  endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/env_build_facts.hpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/cli/env_build_facts.hpp @ONLY)
