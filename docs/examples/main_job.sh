#!/usr/bin/env bash
# The README's main job, from a fresh Debian 12 machine: install what accel
# needs, build it, write an Accelerate config for a 4-process CPU job into a
# scratch HF_HOME, show it, and train with it twice on 4 processes: the PyTorch
# DDP script docs/examples/train_ddp.py, then the native C++ example
# docs/examples/train_mlp.cpp (libaccel's collectives, bf16, gradient
# accumulation).
set -euo pipefail
cd "$(dirname "$0")/../.."

packaging/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build/release --target accel train_mlp
accel=build/release/cli/accel

export HF_HOME="${HF_HOME:-$(mktemp -d)/hf}"
config="$HF_HOME/accelerate/default_config.yaml"
"$accel" config default --force
"$accel" config show
# Debian's python3-torch lives in the system interpreter; name it so a
# python3 earlier on PATH (pyenv, conda) without torch is not picked.
"$accel" launch --cpu --num_processes 4 --config_file "$config" \
  --python /usr/bin/python3 docs/examples/train_ddp.py
# The same job shape, native: the workers link libaccel and average their
# gradients through its shared-memory all_reduce.
"$accel" launch --cpu --num_processes 4 --config_file "$config" --mixed_precision bf16 \
  build/release/docs/examples/train_mlp --gradient_accumulation_steps 2
