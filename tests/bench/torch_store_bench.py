"""The reference for tests/bench/rendezvous_bench: PyTorch's own TCPStore
(Debian's python3-torch) at the same client counts. A server process, then N
clients from this process that connect, add 1 to a counter and wait for the
key the last one sets -- the barrier torch's rendezvous does. Prints one
Markdown row per count, in rendezvous_bench's columns: wall time from the
first connect to the last client through the barrier, the server's peak RSS
(VmHWM), its RSS per connection (VmHWM less its RSS before any client, over
the clients) and the CPU seconds of the server and of this process.

torch's clients are synchronous: one process connects and adds one client
after the other, as torch's own API allows. Its time grows faster than
linearly (0.93 s for 1024, 17.3 s for 4096 on the 2-core machine this was
written on), so a count whose time, predicted from the previous count as
growing with the square of the clients, exceeds --max-seconds is skipped
with that prediction.

    /usr/bin/python3 tests/bench/torch_store_bench.py [--rows-only]
        [--max-seconds 120] 1024 4096 16384
"""
import argparse
import multiprocessing
import os
import resource
import time
from datetime import timedelta

DESCRIPTORS_PER_CLIENT = 3


def serve(port_queue, stop):
    import torch.distributed as dist
    store = dist.TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False,
                          timeout=timedelta(seconds=300))
    port_queue.put((store.port, os.getpid()))
    stop.wait()


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15; fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_round(clients):
    import torch.distributed as dist
    ports, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(ports, stop))
    server.start()
    port, pid = ports.get(timeout=60)
    rss_before = status_kib(pid, "VmRSS")
    server_cpu_before = cpu_seconds(pid)
    own_cpu_before = own_cpu_seconds()
    start = time.perf_counter()
    stores = []
    for _ in range(clients):
        store = dist.TCPStore("127.0.0.1", port, is_master=False, timeout=timedelta(seconds=300))
        stores.append(store)
        if store.add("arrived", 1) == clients:
            store.set("all-arrived", "1")
    for store in stores:
        store.wait(["all-arrived"])
    elapsed = time.perf_counter() - start
    own_cpu = own_cpu_seconds() - own_cpu_before
    server_cpu = cpu_seconds(pid) - server_cpu_before
    peak = status_kib(pid, "VmHWM")
    del stores
    stop.set()
    server.join()
    return {
        "elapsed": elapsed,
        "peak_mib": peak / 1024,
        "per_connection": (peak - rss_before) * 1024 / clients,
        "server_cpu": server_cpu,
        "own_cpu": own_cpu,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", type=int, nargs="*", default=[1024, 4096])
    parser.add_argument("--rows-only", action="store_true",
                        help="no table header: rows to append to rendezvous_bench's table")
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="skip a count whose predicted time exceeds this")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if not args.rows_only:
        print("| clients | run | time to all go | time to barrier | server peak RSS "
              "| RSS per connection | server CPU | clients CPU | listen overflows |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    import torch
    run = f"torch {torch.__version__} TCPStore: store barrier"
    measured = None  # (clients, seconds) of the last count that ran
    for clients in args.counts:
        # torch 1.13's client holds its socket and a control pipe to a
        # background thread of its own: three descriptors per TCPStore.
        needed = DESCRIPTORS_PER_CLIENT * clients + 64
        if needed > hard:
            print(f"| {clients} | {run} | - | skipped: {clients} clients need about {needed} "
                  f"descriptors ({DESCRIPTORS_PER_CLIENT} each), RLIMIT_NOFILE's hard limit is "
                  f"{hard} | | | | | |", flush=True)
            continue
        if measured is not None:
            predicted = measured[1] * (clients / measured[0]) ** 2
            if predicted > args.max_seconds:
                print(f"| {clients} | {run} | - | skipped: predicted {predicted:.0f} s "
                      f"({measured[1]:.1f} s at {measured[0]} x ({clients}/{measured[0]})^2) "
                      f"> --max-seconds {args.max_seconds:.0f} | | | | | |", flush=True)
                continue
        try:
            row = one_round(clients)
        except RuntimeError as error:
            print(f"| {clients} | {run} | - | failed: {error} | | | | | |", flush=True)
            continue
        measured = (clients, row["elapsed"])
        print(f"| {clients} | {run} | - | {row['elapsed']:.3f} s | {row['peak_mib']:.1f} MiB "
              f"| {row['per_connection']:.0f} B | {row['server_cpu']:.2f} s "
              f"| {row['own_cpu']:.2f} s | - |", flush=True)


if __name__ == "__main__":
    main()
