#!/usr/bin/env bash
# clang-tidy (the curated .clang-tidy, checks as errors) over every source of
# the libraries and the cli, using a build folder's compile_commands.json.
#
#   tests/lint.sh [BUILD_DIR]     (default: build/release, configured already)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
[[ -f "$build/compile_commands.json" ]] || { echo "lint: configure $build first"; exit 2; }
# GCC-only warning flags in the compile commands are not clang's business.
git ls-files 'cli/*.cpp' 'config/*.cpp' 'supervisor/*.cpp' 'runtime/*.cpp' |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
    --extra-arg=-Wno-unknown-warning-option
echo "lint: clang-tidy clean"
