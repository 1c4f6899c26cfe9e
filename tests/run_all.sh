#!/usr/bin/env bash
# Every test, from a fresh clone: install dependencies, build with warnings as
# errors, run the unit and integration tests, clang-tidy, then the unit tests
# again under ASan+UBSan. This is the README's test command and what CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh

jobs=$(nproc)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCEL_WERROR=ON
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"
tests/lint.sh build/release

cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DACCEL_WERROR=ON \
  -DACCEL_SANITIZER=address
cmake --build build/asan -j "$jobs" --target base_tests cli_tests config_tests host_tests launch_tests rendezvous_tests supervisor_tests runtime_tests
ctest --test-dir build/asan --output-on-failure -j "$jobs" -R '^unit\.'
