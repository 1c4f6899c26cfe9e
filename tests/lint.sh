#!/usr/bin/env bash
# The layering (tests/lint/check_layering.py: no include against DESIGN.md's
# arrows), clang-format (every C++ file must match .clang-format) and
# clang-tidy (the curated .clang-tidy, checks as errors) over every source of
# the libraries and the cli, using a build folder's compile_commands.json.
#
#   tests/lint.sh [BUILD_DIR]     (default: build/release, configured already)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}

# The tools, checked first: a missing one would otherwise surface later as a
# misleading finding ("run clang-format -i"). Tool, then its Debian package.
missing=()
for tool_package in clang-format:clang-format clang-tidy:clang-tidy python3:python3 git:git; do
  command -v "${tool_package%%:*}" >/dev/null || missing+=("$tool_package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  for tool_package in "${missing[@]}"; do
    echo "lint: ${tool_package%%:*} is not installed (Debian package ${tool_package#*:})" >&2
  done
  echo "lint: install them with packaging/install-deps.sh" \
    "(or: sudo apt-get install ${missing[*]#*:})" >&2
  exit 2
fi
[[ -f "$build/compile_commands.json" ]] || { echo "lint: configure $build first"; exit 2; }

# Who may include whom: the checker reads the sources only. A finding does
# not stop the format and tidy checks, so one run shows everything.
layering=0
python3 tests/lint/check_layering.py . || layering=1

# GCC-only warning flags in the compile commands are not clang's business.
# clang also prints "N warnings generated." for what the curated checks
# filter out (library headers); only real findings are worth a line.
# One style for the tree (.clang-format).
if ! git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror; then
  echo "lint: run clang-format -i on the files above"
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# Our headers, by their absolute path (clang-tidy matches the full path, and
# a bare '^config/' would match nothing while '/config/' would match Boost's).
parts='base|cli|config|host|launch|rendezvous|supervisor|runtime'
# Only the sources this configuration compiles: without the CUDA toolkit
# (a fresh Debian 12) the CUDA-only files are not built and their headers
# are not there, and clang-tidy, finding no compile command for them, would
# guess flags and fail on the missing includes.
built_sources=$(
  git ls-files 'base/*.cpp' 'cli/*.cpp' 'config/*.cpp' 'host/*.cpp' 'launch/*.cpp' \
    'rendezvous/*.cpp' 'supervisor/*.cpp' 'runtime/*.cpp' |
    python3 tests/lint/built_sources.py "$build/compile_commands.json"
)
xargs -r -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
  --header-filter="^$(pwd)/($parts)/" \
  --extra-arg=-Wno-unknown-warning-option <<<"$built_sources" >"$log" 2>&1 || status=$?
grep -v -E '^[0-9]+ warnings? generated\.$' "$log" || true
if [[ $status -ne 0 ]]; then
  echo "lint: clang-tidy found problems (above)"
  exit 1
fi
if [[ $layering -ne 0 ]]; then
  echo "lint: includes break the layering (above)"
  exit 1
fi
echo "lint: layering, clang-format and clang-tidy clean"
