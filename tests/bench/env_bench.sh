#!/usr/bin/env bash
# `accel env`'s wall time, with and without its Python probe, next to
# `python3 -c "import torch"` (what `accelerate env` pays before printing a
# line) as a reference. Medians of RUNS runs (default 10), in milliseconds,
# as a Markdown table. A benchmark, not a test: run it by hand.
#
#   tests/bench/env_bench.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: env_bench.sh BUILD_DIR [RUNS]}
runs=${2:-10}
accel="$build/cli/accel"
[ -x "$accel" ] || { echo "no $accel: cmake --build $build --target accel" >&2; exit 1; }
python=/usr/bin/python3  # Debian's python3-torch lives in the system Python

# The median wall time of `runs` runs of the command, in ms (output dropped).
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}

echo "| command | median wall time (ms, $runs runs) |"
echo "| --- | ---: |"
echo "| accel env --no_python | $(median_ms "$accel" env --no_python) |"
echo "| accel env --json --no_python | $(median_ms "$accel" env --json --no_python) |"
echo "| accel env (python3 on PATH probed) | $(median_ms "$accel" env) |"
echo "| ACCEL_PYTHON=$python accel env | $(ACCEL_PYTHON=$python median_ms "$accel" env) |"
if "$python" -c "import torch" 2>/dev/null; then
  echo "| $python -c \"import torch\" (reference) | $(median_ms "$python" -c "import torch") |"
else
  echo "| $python -c \"import torch\" (reference) | skipped: $python cannot import torch (apt install python3-torch) |"
fi
