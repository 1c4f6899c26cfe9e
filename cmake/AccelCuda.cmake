# The CUDA set-up of the runtime's GPU parts (kernels in runtime/cuda_*.cu,
# the NCCL backend's host code).
#
#   ACCEL_CUDA=AUTO  build them when the CUDA toolkit is found (the default:
#                    every machine here, CI included, has it, so CI compiles
#                    the CUDA code even without a GPU)
#   ACCEL_CUDA=ON    require the toolkit; configuring fails without it
#   ACCEL_CUDA=OFF   never build them; the GPU entry points then throw
#                    "libaccel was built without CUDA"
#
# Sets ACCEL_HAVE_CUDA (ON/OFF) for the other CMake files, and
# accel_configure_cuda_target(<target>) gives a target holding .cu sources
# the per-target properties below. cudart is linked statically
# (CUDA::cudart_static): it dlopens libcuda.so.1 itself on the first CUDA
# call and fails cleanly where there is no driver, so `accel` and libaccel
# still load and run on machines without a GPU. NCCL is never linked: the
# runtime dlopens libnccl.so.2 (DESIGN.md).
set(ACCEL_CUDA AUTO CACHE STRING
    "Build the runtime's CUDA parts: AUTO (when the toolkit is found), ON (required) or OFF")
set_property(CACHE ACCEL_CUDA PROPERTY STRINGS AUTO ON OFF)
if(NOT ACCEL_CUDA MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "ACCEL_CUDA must be AUTO, ON or OFF, not '${ACCEL_CUDA}'")
endif()

set(ACCEL_HAVE_CUDA OFF)
if(NOT ACCEL_CUDA STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    # The toolkit's own nvcc, compiling host code with the project's C++
    # compiler, so host objects of .cu and .cpp files agree on the ABI.
    if(NOT CMAKE_CUDA_COMPILER)
      set(CMAKE_CUDA_COMPILER "${CUDAToolkit_NVCC_EXECUTABLE}")
    endif()
    if(NOT CMAKE_CUDA_HOST_COMPILER)
      set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}")
    endif()
    # A100 (sm_80) and H100/H200 (sm_90) as machine code, plus sm_90 PTX that
    # the driver compiles for newer chips. Each entry costs a full device
    # compile, so the list stays short; override with -DCMAKE_CUDA_ARCHITECTURES.
    if(NOT CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
    endif()
    enable_language(CUDA)
    set(ACCEL_HAVE_CUDA ON)
    message(STATUS "accel: CUDA ${CUDAToolkit_VERSION} at ${CUDAToolkit_BIN_DIR}; "
                   "GPU parts built for ${CMAKE_CUDA_ARCHITECTURES}")
  elseif(ACCEL_CUDA STREQUAL "ON")
    message(FATAL_ERROR
      "ACCEL_CUDA=ON but no CUDA toolkit was found: install it (nvcc, cudart) or point "
      "CUDAToolkit_ROOT at it, or configure with -DACCEL_CUDA=AUTO or OFF")
  else()
    message(STATUS "accel: CUDA toolkit not found; GPU parts of the runtime are not built")
  endif()
else()
  message(STATUS "accel: ACCEL_CUDA=OFF; GPU parts of the runtime are not built")
endif()

# Per-target CUDA properties for a target with .cu sources: C++20 device code
# (the tree's language level; CMake 3.25 has no CUDA_STANDARD 20 for nvcc, so
# the flag is given directly), no relocatable device code (each kernel lives
# in one file, so no device link step and no libcudadevrt), and the CUDA
# runtime left to the explicit CUDA::cudart_static the target links (not
# CMake's implicit one, which would link it twice).
function(accel_configure_cuda_target target)
  set_target_properties(${target} PROPERTIES
    CUDA_SEPARABLE_COMPILATION OFF
    CUDA_RUNTIME_LIBRARY None)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20>)
endfunction()
