#!/usr/bin/env python3
"""One side-by-side table from the JSON rows of cuda_kernels_bench (accel)
and torch_kernels_bench.py (torch), both measured in the same run on the
same GPU: each kernel's TB/s, and as a percentage of accel's device-to-device
copy bandwidth (the ceiling for a memory-bound kernel); latency rows in µs.
Checks issue 10's targets: every conversion and the fused unscale + check at
95% of the copy or more. Exit status 1 when a target is missed.

    kernel_table.py ACCEL_JSONL TORCH_JSONL [TABLE_OUT]
"""
import json
import sys

TARGETS = {"fp32_to_bf16", "fp32_to_fp16", "bf16_to_fp32", "fp16_to_fp32", "unscale"}
ORDER = ["copy", "fp32_to_bf16", "fp32_to_fp16", "bf16_to_fp32", "fp16_to_fp32", "unscale",
         "l2_norm", "update", "graph"]


def load(path):
    rows = {}
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("{"):
                row = json.loads(line)
                rows[row["key"]] = row
    return rows


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    accel, torch = load(sys.argv[1]), load(sys.argv[2])
    if "copy" not in accel:
        print("kernel_table: no copy row from cuda_kernels_bench", file=sys.stderr)
        return 1
    copy = accel["copy"]["tbps"]
    lines = [f"copy bandwidth (accel's device-to-device cudaMemcpy, this run): {copy:.3f} TB/s",
             f"{'kernel':<16} {'accel':>22} {'torch':>22}  target",
             f"{'':<16} {'TB/s   % copy      us':>22} {'TB/s   % copy      us':>22}"]
    missed = []

    def cell(row):
        if row is None:
            return f"{'-':>22}"
        if row["bytes"]:
            return f"{row['tbps']:6.3f} {100 * row['tbps'] / copy:6.1f}% {row['median_us']:8.1f}"
        return f"{'-':>6} {'-':>7} {row['median_us']:8.1f}"

    for key in ORDER:
        a, t = accel.get(key), torch.get(key)
        if a is None and t is None:
            continue
        verdict = ""
        if key in TARGETS:
            ok = a is not None and 100 * a["tbps"] / copy >= 95.0
            verdict = "ok (>= 95%)" if ok else "MISSED (< 95%)"
            if not ok:
                missed.append(key)
        lines.append(f"{key:<16} {cell(a):>22} {cell(t):>22}  {verdict}")
    if "graph" in accel:
        lines.append(f"accel's whole scaler sequence as one graph: {accel['graph']['median_us']:.1f} us")
    table = "\n".join(lines)
    print(table)
    if len(sys.argv) == 4:
        with open(sys.argv[3], "w") as out:
            out.write(table + "\n")
    if missed:
        print("kernel_table: below 95% of the copy: " + ", ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
