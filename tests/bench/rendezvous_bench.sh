#!/usr/bin/env bash
# Rendezvous at scale, accel's server next to torch's own TCPStore, in one
# Markdown table: rendezvous_bench's rows (N simulated machines join and pass
# a store barrier; see the top of rendezvous_bench.cpp), then
# torch_store_bench.py's rows at the same counts (N TCPStore clients pass the
# same barrier; counts it predicts to take over 120 s are skipped, saying
# so). A benchmark, not a test: run it by hand, on an otherwise idle machine
# for wall times worth quoting (the CPU columns are steadier).
#
#   tests/bench/rendezvous_bench.sh BUILD_DIR [COUNT...]   (default 1024 4096 16384)
#   RDZV_BENCH_ARGS="--runs 5 --window 512" tests/bench/rendezvous_bench.sh build/dev
set -euo pipefail
build=${1:?usage: rendezvous_bench.sh BUILD_DIR [COUNT...]}
shift
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1024 4096 16384)
here=$(cd "$(dirname "$0")" && pwd)
bench="$build/tests/bench/rendezvous_bench"
[ -x "$bench" ] || { echo "no $bench: cmake --build $build --target rendezvous_bench" >&2; exit 1; }

list=$(IFS=,; echo "${counts[*]}")
# shellcheck disable=SC2086 # RDZV_BENCH_ARGS is a list of flags
"$bench" --clients "$list" ${RDZV_BENCH_ARGS:-}

python=/usr/bin/python3  # Debian's python3-torch lives in the system Python
if "$python" -c "import torch.distributed" 2>/dev/null; then
  "$python" "$here/torch_store_bench.py" --rows-only --max-seconds "${TORCH_MAX_SECONDS:-120}" \
    "${counts[@]}"
else
  echo "| ${list} | torch TCPStore | - | skipped: $python cannot import torch.distributed (apt install python3-torch) | | | | | |"
fi
