#!/usr/bin/env bash
# accel's all_reduce next to Open MPI's on this machine, in one table: for
# each rank count (default 2 and 4), `accel bench --op all_reduce` and an
# MPI_Allreduce loop (mpi_allreduce_bench.c) over the same sizes, the same
# float32 sum, warm-up, iterations and timing (the slowest rank's mean per
# call), side by side: busbw of both, their ratio, and each side's time; then
# the 8-byte latency of both from a longer run of that size alone. A
# benchmark, not a test: run it by hand, on an otherwise idle machine.
#
#   tests/bench/collectives_vs_mpi.sh BUILD_DIR [RANKS...]      (default 2 4)
#   BENCH_MAX=64M BENCH_ITERS=50 tests/bench/collectives_vs_mpi.sh build/dev
#
# Open MPI runs on one machine the way it runs best there: the shared-memory
# transport (btl vader, with its single-copy path where the kernel allows),
# no network transports, oversubscribed when there are more ranks than cores
# (as accel is), and as root where the machine is a container.
# Exit 77 (skipped) when mpirun or the MPI loop is missing.
set -euo pipefail
build=${1:?usage: collectives_vs_mpi.sh BUILD_DIR [RANKS...]}
shift
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(2 4)
min=${BENCH_MIN:-8}
max=${BENCH_MAX:-256M}
iters=${BENCH_ITERS:-20}
warmup=${BENCH_WARMUP:-5}
latency_iters=${BENCH_LATENCY_ITERS:-2000}

accel="$build/cli/accel"
mpi_bench="$build/tests/bench/mpi_allreduce_bench"
[ -x "$accel" ] || { echo "no $accel: cmake --build $build --target accel" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "skipped: no mpirun on PATH (apt install openmpi-bin libopenmpi-dev)"; exit 77; }
[ -x "$mpi_bench" ] || {
  echo "skipped: no $mpi_bench (CMake builds it only where it finds MPI: apt install libopenmpi-dev, reconfigure, cmake --build $build --target mpi_allreduce_bench)"
  exit 77
}

export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_btl_vader_backing_directory=/dev/shm
export OMPI_MCA_hwloc_base_binding_policy=none  # oversubscribed ranks must not share one core
mpirun_flags=(--oversubscribe --bind-to none)
[ "$(id -u)" -ne 0 ] || mpirun_flags+=(--allow-run-as-root)

out=$(mktemp -d "${TMPDIR:-/tmp}/collectives-vs-mpi-XXXXXX")
trap 'rm -rf "$out"' EXIT
sweep=(-b "$min" -e "$max" -f 2 -n "$iters" -w "$warmup")
latency=(-b 8 -e 8 -f 2 -n "$latency_iters" -w 100)
for n in "${ranks[@]}"; do
  echo "ranks $n: accel bench ..." >&2
  "$accel" bench --op all_reduce --num_processes "$n" "${sweep[@]}" >"$out/accel.$n"
  "$accel" bench --op all_reduce --num_processes "$n" "${latency[@]}" >"$out/accel_latency.$n"
  echo "ranks $n: mpirun -np $n mpi_allreduce_bench ..." >&2
  mpirun -np "$n" "${mpirun_flags[@]}" "$mpi_bench" "${sweep[@]}" >"$out/mpi.$n"
  mpirun -np "$n" "${mpirun_flags[@]}" "$mpi_bench" "${latency[@]}" >"$out/mpi_latency.$n"
done

python3 - "$out" "${ranks[@]}" <<'PYTHON'
import sys

out, ranks = sys.argv[1], sys.argv[2:]


def rows(path, size_col, time_col, busbw_col, wrong_col):
    """{size: (time_us, busbw, wrong)} from a table's data lines."""
    table = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split()
            table[int(fields[size_col])] = (float(fields[time_col]), float(fields[busbw_col]),
                                            fields[wrong_col])
    return table


def accel(path):  # size count type redop root time algbw busbw #wrong
    return rows(path, 0, 5, 7, 8)


def mpi(path):  # size count time algbw busbw #wrong
    return rows(path, 0, 2, 4, 5)


print("| ranks | size (B) | accel time (us) | Open MPI time (us) | accel busbw (GB/s) "
      "| Open MPI busbw (GB/s) | busbw ratio accel/MPI |")
print("|---:|---:|---:|---:|---:|---:|---:|")
summary = []
for n in ranks:
    a, m = accel(f"{out}/accel.{n}"), mpi(f"{out}/mpi.{n}")
    for size in sorted(set(a) & set(m)):
        (at, ab, aw), (mt, mb, mw) = a[size], m[size]
        # Same bytes and bus factor on both sides: the busbw ratio is the
        # inverse time ratio, free of the busbw columns' rounding.
        ratio = f"{mt / at:.2f}" if at > 0 else "-"
        wrong = "" if aw == "0" and mw == "0" else f" (#wrong accel {aw}, MPI {mw})"
        print(f"| {n} | {size} | {at:.2f} | {mt:.2f} | {ab:.2f} | {mb:.2f} | {ratio}{wrong} |")
    big = [s for s in set(a) & set(m) if s >= 1 << 20 and a[s][0] > 0]
    worst = min((m[s][0] / a[s][0] for s in big), default=float("nan"))
    la = accel(f"{out}/accel_latency.{n}")[8][0]
    lm = mpi(f"{out}/mpi_latency.{n}")[8][0]
    summary.append((n, la, lm, worst))
print()
print("| ranks | 8-byte latency accel (us) | 8-byte latency Open MPI (us) | latency ratio accel/MPI "
      "| lowest busbw ratio at >= 1 MiB |")
print("|---:|---:|---:|---:|---:|")
for n, la, lm, worst in summary:
    print(f"| {n} | {la:.2f} | {lm:.2f} | {la / lm:.2f} | {worst:.2f} |")
PYTHON
