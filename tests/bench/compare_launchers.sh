#!/usr/bin/env bash
# Start-up of a no-op Python script under each launcher, side by side:
# bare python, accel launch, torchrun and accelerate launch (the last two
# where installed). Prints hyperfine's Markdown table. A benchmark, not a
# test: run it by hand (here, or on the GPU machine via tests/gpu/run.sh).
#
#   tests/bench/compare_launchers.sh ACCEL_BINARY [PYTHON] [NPROC]
set -euo pipefail
accel=${1:?usage: compare_launchers.sh ACCEL_BINARY [PYTHON] [NPROC]}
python=${2:-python3}
nproc=${3:-1}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (packaging/install-deps.sh)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "pass" >"$work/noop.py"
export HF_HOME="$work/hf"  # no default config: every launcher uses its defaults

commands=("$python $work/noop.py"
          "$accel launch -q --num_processes $nproc --python $python $work/noop.py")
# The other launchers join the table only where they run here (Debian 12's
# torch 1.13 torchrun fails on Python 3.11, for one).
for candidate in "$python -m torch.distributed.run --nproc_per_node $nproc $work/noop.py" \
                 "$python -m accelerate.commands.launch --num_processes $nproc $work/noop.py"; do
  if $candidate >/dev/null 2>&1; then
    commands+=("$candidate")
  else
    echo "skipped (does not run here): $candidate"
  fi
done
hyperfine --warmup 2 --runs "${RUNS:-10}" --style basic \
  --export-markdown "$work/table.md" "${commands[@]}" >/dev/null
echo "no-op Python script, $nproc process(es) per launcher ($(nproc) cores):"
cat "$work/table.md"
