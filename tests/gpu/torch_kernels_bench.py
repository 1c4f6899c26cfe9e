#!/usr/bin/env python3
"""PyTorch's own kernels for the rows of tests/bench/cuda_kernels_bench.cpp,
measured the same way: 1 GiB fp32 buffers (--mib), CUDA events around each
run, median of --runs after warm-up, inputs rotated between two sets, the
same 215 tensor sizes (1.29 GB) for the multi-tensor rows. Prints one JSON
object per row (the keys kernel_table.py matches with accel's rows).

    torch_kernels_bench.py [--mib 1024] [--runs 50] [--tensors 215] [--tensor-bytes 1290000000]
"""
import argparse
import json
import statistics
import sys
import time

import torch


def tensor_sizes(tensors, total_bytes):
    """cuda_kernels_bench.cpp's tensor_sizes, value for value."""
    total_values = total_bytes // 4
    total_weight = sum(i % 7 + 1 for i in range(tensors))
    return [total_values // total_weight * (i % 7 + 1) + i % 13 for i in range(tensors)]


def median_us(runs, work):
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    for run in range(3):
        work(run)
    times = []
    for run in range(runs):
        start.record()
        work(run)
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tensors", type=int, default=215)
    parser.add_argument("--tensor-bytes", type=int, default=1290000000)
    options = parser.parse_args()
    if not torch.cuda.is_available():
        print("torch_kernels_bench: torch sees no CUDA device", file=sys.stderr)
        return 1
    device = torch.device("cuda")
    stream = torch.cuda.Stream()
    torch.cuda.set_stream(stream)
    values = options.mib * (1 << 20) // 4
    floats = [torch.randn(values, device=device) for _ in range(2)]
    bf16 = [f.to(torch.bfloat16) for f in floats]
    fp16 = [f.to(torch.float16) for f in floats]
    rows = []

    def row(key, kernel, nbytes, us):
        rows.append({"side": "torch", "key": key, "kernel": kernel, "bytes": nbytes,
                     "median_us": us,
                     "tbps": nbytes / (us * 1e-6) / 1e12 if nbytes else 0.0})

    fp32_bytes, half_bytes = values * 4, values * 2
    row("copy", "device-to-device copy (fp32)", 2 * fp32_bytes,
        median_us(options.runs, lambda r: floats[(r + 1) % 2].copy_(floats[r % 2])))
    row("fp32_to_bf16", "fp32 -> bf16 (copy_)", fp32_bytes + half_bytes,
        median_us(options.runs, lambda r: bf16[r % 2].copy_(floats[r % 2])))
    row("fp32_to_fp16", "fp32 -> fp16 (copy_)", fp32_bytes + half_bytes,
        median_us(options.runs, lambda r: fp16[r % 2].copy_(floats[r % 2])))
    row("bf16_to_fp32", "bf16 -> fp32 (copy_)", fp32_bytes + half_bytes,
        median_us(options.runs, lambda r: floats[r % 2].copy_(bf16[r % 2])))
    row("fp16_to_fp32", "fp16 -> fp32 (copy_)", fp32_bytes + half_bytes,
        median_us(options.runs, lambda r: floats[r % 2].copy_(fp16[r % 2])))
    del floats, bf16, fp16
    torch.cuda.empty_cache()

    sizes = tensor_sizes(options.tensors, options.tensor_bytes)
    grad_bytes = sum(sizes) * 4
    grads = [[torch.randn(size, device=device) for size in sizes] for _ in range(2)]
    found_inf = torch.zeros(1, device=device)
    inv_scale = torch.full((1,), 1.0 - 2.0 ** -20, device=device)
    label = f" ({options.tensors} tensors)"
    row("unscale", "_amp_foreach_non_finite_check_and_unscale_" + label, 2 * grad_bytes,
        median_us(options.runs, lambda r: torch._amp_foreach_non_finite_check_and_unscale_(
            grads[r % 2], found_inf, inv_scale)))
    row("l2_norm", "vector_norm(stack(_foreach_norm))" + label, grad_bytes,
        median_us(options.runs, lambda r: torch.linalg.vector_norm(
            torch.stack(torch._foreach_norm(grads[r % 2])))))

    scale = torch.full((1,), 65536.0, device=device)
    tracker = torch.zeros(1, dtype=torch.int32, device=device)
    torch.cuda.synchronize()
    calls = 1000
    start = time.perf_counter()
    for _ in range(calls):
        torch._amp_update_scale_(scale, tracker, found_inf, 2.0, 0.5, 2000)
    torch.cuda.synchronize()
    row("update", "_amp_update_scale_, per call (host wall time)", 0,
        (time.perf_counter() - start) / calls * 1e6)

    graphs = []
    for s in range(2):
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=stream):
            torch._amp_foreach_non_finite_check_and_unscale_(grads[s], found_inf, inv_scale)
            torch._amp_update_scale_(scale, tracker, found_inf, 2.0, 0.5, 2000)
        graphs.append(graph)
    row("graph", "unscale+check+update, one graph" + label, 2 * grad_bytes,
        median_us(options.runs, lambda r: graphs[r % 2].replay()))
    for r in rows:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
