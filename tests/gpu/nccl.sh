#!/usr/bin/env bash
# The NCCL backend's checks on the GPU machine (issue 10), called by run.sh:
# its unit tests (a skip counts as a failure here, except the multi-GPU case
# on a one-GPU machine), the integration tests through accel launch,
# accel test / accel bench --device cuda, and the per-call latency table:
# ncclAllReduce directly, through accel::Communicator, and PyTorch's
# dist.all_reduce from Python (world of one on GPU 0, same sizes).
#
#   tests/gpu/nccl.sh [BUILD_DIR]       (default: build/release)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
accel=$PWD/$build/cli/accel
python=${ACCEL_TEST_PYTHON:-$(command -v python3)}
gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
status=0

# Which NCCL the runtime loads (ACCEL_NCCL_LIBRARY).
source tests/gpu/nccl_library.sh

echo "== NCCL backend: unit tests ($gpus GPUs)"
tests=$build/tests/unit/runtime/runtime_nccl_tests
log=$(mktemp)
# One case per process, as ctest runs them (a skip ends its process).
while IFS= read -r name; do
  [ -z "$name" ] && continue
  "$tests" "${name//,/\\,}" >"$log" 2>&1  # a comma would split Catch's filter
  rc=$?
  grep -q "No test cases matched" "$log" && rc=1
  if [ $rc -eq 77 ]; then
    # Allowed skips on a GPU machine: the no-GPU refusal, and two GPUs on one.
    if grep -q "this machine has a GPU" "$log" || { [ "$gpus" -lt 2 ] && grep -q "needs 2 GPUs" "$log"; }; then
      echo "skipped (as it should be here): $name"
    else
      echo "SKIPPED on a GPU machine: $name"; cat "$log"; status=1
    fi
  elif [ $rc -ne 0 ]; then
    echo "FAILED: $name"; cat "$log"; status=1
  else
    echo "passed: $name"
  fi
done < <("$tests" --list-test-names-only)
rm -f "$log"

echo "== NCCL backend: integration tests"
(cd tests/integration && ACCEL_BIN=$accel ACCEL_TEST_PYTHON=$python "$python" test_nccl_commands.py) \
  || status=1

echo "== accel test / accel bench --device cuda"
"$accel" test --device cuda || status=1
"$accel" bench --device cuda --op all -b 8 -e 256M -f 4 || status=1

echo "== per-call latency: direct NCCL, accel::Communicator, PyTorch (world of one)"
"$build/tests/bench/nccl_latency" --iters 20000 --runs 7 || status=1
"$python" - <<'PY' || status=1
import os, time
import torch, torch.distributed as dist
os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
os.environ.setdefault("MASTER_PORT", "29533")
torch.cuda.set_device(0)
dist.init_process_group("nccl", rank=0, world_size=1)
print(f"# PyTorch {torch.__version__} dist.all_reduce from Python, NCCL "
      f"{'.'.join(map(str, torch.cuda.nccl.version()))}, fp32 sum in place")
print(f"{'bytes':>10} {'torch us':>14}")
for size in (8, 1024, 65536, 1 << 20):
    t = torch.zeros(size // 4, device="cuda")
    runs = []
    for _ in range(7):
        for _ in range(100):
            dist.all_reduce(t)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(5000):
            dist.all_reduce(t)
        torch.cuda.synchronize()
        runs.append((time.perf_counter() - start) / 5000 * 1e6)
    print(f"{size:>10} {sorted(runs)[3]:>14.2f}")
dist.destroy_process_group()
PY
exit $status
