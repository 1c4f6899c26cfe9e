# `cpack` (or the `package` target) in a build folder: accel-<version>-Linux.deb
# and accel-<version>-Linux.tar.gz, holding what `cmake --install` lays out
# (packaging/CMakeLists.txt). The .deb installs under /usr; the tarball
# unpacks to accel-<version>-Linux/{bin,lib,include,share}, for any prefix.
# Build them from a Release build: the RelWithDebInfo archives are large.
set(ACCEL_PACKAGE_MAINTAINER "accel developers <maintainers@accel.invalid>" CACHE STRING
  "Maintainer field of the .deb")

set(CPACK_PACKAGE_NAME accel)
set(CPACK_PACKAGE_VENDOR "accel developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_FILE_NAME accel-${PROJECT_VERSION}-Linux)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${ACCEL_PACKAGE_MAINTAINER}")
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_STRIP_FILES TRUE)  # bin/accel and libaccel.so; debug info stays in the build

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ACCEL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The long description; CPack puts the summary line above it and indents it
# as Debian's control file wants.
set(CPACK_PACKAGE_DESCRIPTION "accel launch is a drop-in for accelerate launch and torchrun:
it reads Accelerate's config files, starts in milliseconds, never leaves
orphan workers and names the rank that failed and why. accel config, env,
test and bench come with it, and libaccel (headers, shared and static
library, CMake package config, pkg-config file) is the runtime for native
C++ workers.")
# The binary and libaccel.so need only the C and C++ runtime (yaml-cpp,
# Boost and OpenSSL are linked in statically); dpkg-shlibdeps (dpkg-dev)
# works out the versions from the symbols they use; CPack finds the ELF
# files for it with `file`, and stops with an error where that is missing.
find_program(ACCEL_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(ACCEL_FILE_COMMAND file)
if(ACCEL_DPKG_SHLIBDEPS AND ACCEL_FILE_COMMAND)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1")
endif()

include(CPack)
