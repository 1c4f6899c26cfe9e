#!/usr/bin/env bash
# The CUDA kernels on the GPU machine (tests/gpu/run.sh calls this): their
# unit tests (no skips allowed here), the same tests under compute-sanitizer
# memcheck and racecheck, then the benchmark beside PyTorch's own kernels,
# as one table (kernel_table.py; written to $OUT/cuda_kernels_table.txt when
# OUT is set). Needs no compiler: run it on a carried build folder.
#
#   tests/gpu/cuda_kernels.sh [BUILD_DIR]       (default: build/release)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
python=${ACCEL_TEST_PYTHON:-$(command -v python3)}
tests=$build/tests/unit/runtime/runtime_cuda_tests
bench=$build/tests/bench/cuda_kernels_bench
status=0
for binary in "$tests" "$bench"; do
  [[ -x $binary ]] || { echo "cuda_kernels.sh: $binary is missing: build with the CUDA toolkit"; exit 1; }
done

echo "== CUDA kernel tests"
# Case by case, by exit code: 77 (skipped) is a failure on a GPU machine.
while IFS= read -r name; do
  [[ -n $name ]] || continue
  if ! output=$("$tests" "${name//,/\\,}" 2>&1); then
    echo "FAILED: $name"
    echo "$output"
    status=1
  fi
done < <("$tests" --list-test-names-only)

sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [[ -x $sanitizer ]]; then
  for tool in memcheck racecheck; do
    echo "== compute-sanitizer --tool $tool (GPU cases)"
    "$sanitizer" --tool "$tool" --error-exitcode 1 "$tests" "[gpu]" || status=1
  done
else
  echo "cuda_kernels.sh: compute-sanitizer not found (CUDA toolkit's bin/): memcheck/racecheck not run"
  status=1
fi

echo "== kernels vs device copy vs PyTorch"
results=$(mktemp -d)
"$bench" --json >"$results/accel.jsonl" || status=1
"$python" tests/gpu/torch_kernels_bench.py >"$results/torch.jsonl" || status=1
"$python" tests/gpu/kernel_table.py "$results/accel.jsonl" "$results/torch.jsonl" \
  ${OUT:+"$OUT/cuda_kernels_table.txt"} || status=1
rm -rf "$results"
exit $status
