#!/usr/bin/env bash
# The example training job on the GPU (issue 10, section 5), called by
# run.sh: the job's CUDA kernels against their host loops (unit tests; a
# skip counts as a failure here), `train_mlp --device cuda` through accel
# launch on one process and on two where two GPUs are visible
# (test_example_training_gpu.py: bf16, NCCL, the loss going down, the
# bit-identical check, the GPU following the CPU's losses), and the two
# jobs' epoch lines side by side for the record.
#
#   tests/gpu/train_mlp.sh [BUILD_DIR]       (default: build/release)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
accel=$PWD/$build/cli/accel
train_mlp=$PWD/$build/docs/examples/train_mlp
python=${ACCEL_TEST_PYTHON:-$(command -v python3)}
status=0
source tests/gpu/nccl_library.sh

echo "== train_mlp: the CUDA kernels against their host loops"
"$build/tests/unit/examples/examples_cuda_tests" || status=1

echo "== train_mlp --device cuda through accel launch"
(cd tests/integration && ACCEL_BIN=$accel ACCEL_TRAIN_MLP=$train_mlp ACCEL_TEST_PYTHON=$python \
  "$python" test_example_training_gpu.py) || status=1

echo "== the example job on the CPU, then on the GPU (1 process, bf16)"
scratch=$(mktemp -d)
(cd "$scratch" && HF_HOME=$scratch/hf "$accel" launch --cpu --num_processes 1 \
  --mixed_precision bf16 "$train_mlp" --device cpu) || status=1
(cd "$scratch" && HF_HOME=$scratch/hf "$accel" launch --num_processes 1 \
  --mixed_precision bf16 "$train_mlp" --device cuda) || status=1
rm -rf "$scratch"
exit $status
