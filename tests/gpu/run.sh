#!/usr/bin/env bash
# GPU checks, for a machine with NVIDIA GPUs, torch (CUDA) and accelerate:
# the host probe's unit tests (they assert the driver and CUDA versions where
# NVML answers), the GPU integration tests, the ordinary integration tests,
# and the launcher start-up comparison. A skip (exit 77) counts as a failure
# here: on a GPU machine every GPU test must run. It needs no compiler: build here and carry the build
# folder (the binary is portable, DESIGN.md).
#
#   tests/gpu/run.sh [BUILD_DIR]       (default: build/release)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
export ACCEL_BIN=$PWD/$build/cli/accel
export ACCEL_TEST_PYTHON=${ACCEL_TEST_PYTHON:-$(command -v python3)}
export PYTHONDONTWRITEBYTECODE=1
nvidia-smi -L || true
"$ACCEL_BIN" --version
# Portability (DESIGN.md): built on Debian 12, the binary needs only the C and
# C++ runtime libraries on this newer distribution.
echo "== shared libraries of accel"
ldd "$ACCEL_BIN"

status=0
echo "== host probe (NVML through dlopen)"
"$build/tests/unit/host/host_tests" "[gpu_probe]" || status=1
cd tests/integration
for test in test_launch_gpu.py test_launch_env.py test_launch_supervision.py test_launch_torch.py; do
  echo "== $test"
  "$ACCEL_TEST_PYTHON" "$test" || status=1
done
cd ../..
echo "== environment parity with the real accelerate launch"
"$ACCEL_TEST_PYTHON" tests/gpu/env_parity.py "$ACCEL_BIN" "${OUT:-}" || status=1
echo "== launcher start-up"
RUNS=${RUNS:-10} tests/bench/compare_launchers.sh "$ACCEL_BIN" "$ACCEL_TEST_PYTHON" 1 || status=1
exit $status
