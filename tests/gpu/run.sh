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
"$build/tests/unit/host/host_tests" "[gpu_probe],[gpu_inventory]" || status=1
echo "== accel env (real NVML: names, memory, topology)"
"$ACCEL_BIN" env --no_python || status=1
"$ACCEL_BIN" env --json --no_python >/dev/null || status=1
# The native workers of the runtime's integration tests, where carried.
export ACCEL_COLLECTIVE_WORKER=$PWD/$build/tests/integration/collective_worker
export ACCEL_MACHINES_COLLECTIVES_WORKER=$PWD/$build/tests/integration/machines_collectives_worker
export ACCEL_TRAIN_MLP=$PWD/$build/docs/examples/train_mlp
cd tests/integration
for test in test_launch_gpu.py test_launch_env.py test_launch_supervision.py test_launch_torch.py \
            test_launch_machines.py test_collectives.py test_collectives_machines.py \
            test_example_training.py test_env_command.py; do
  echo "== $test"
  "$ACCEL_TEST_PYTHON" "$test" || status=1
done
cd ../..
echo "== accel test and accel bench on the CPU (16 cores: not oversubscribed)"
"$ACCEL_BIN" test --num_processes 8 || status=1
for ranks in 2 4 8; do
  "$ACCEL_BIN" bench --op all_reduce -b 8 -e 256M -f 4 --num_processes "$ranks" || status=1
done
echo "== CUDA kernels: tests, compute-sanitizer, benchmark beside PyTorch"
tests/gpu/cuda_kernels.sh "$build" || status=1
tests/gpu/nccl.sh "$build" || status=1  # issue 10: the NCCL backend
tests/gpu/train_mlp.sh "$build" || status=1  # issue 10: the example training job on the GPU
echo "== environment parity with the real accelerate launch"
"$ACCEL_TEST_PYTHON" tests/gpu/env_parity.py "$ACCEL_BIN" "${OUT:-}" || status=1
echo "== launcher start-up"
RUNS=${RUNS:-10} tests/bench/compare_launchers.sh "$ACCEL_BIN" "$ACCEL_TEST_PYTHON" 1 || status=1
exit $status
