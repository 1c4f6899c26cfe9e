"""The reference for tests/bench/rendezvous_bench: PyTorch's own TCPStore
(Debian's python3-torch) at the same client counts. A server process, then N
clients from this process that connect, add 1 to a counter and wait for the
key the last one sets -- the barrier torch's rendezvous does. Prints one
Markdown row per count: wall time from the first connect to the last client
through the barrier, and the server's peak RSS.

    /usr/bin/python3 tests/bench/torch_store_bench.py 1024 4096 16384
"""
import multiprocessing
import os
import resource
import sys
import time
from datetime import timedelta


def serve(port_queue, stop):
    import torch.distributed as dist
    store = dist.TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False,
                          timeout=timedelta(seconds=300))
    port_queue.put((store.port, os.getpid()))
    stop.wait()


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one_round(clients):
    import torch.distributed as dist
    ports, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(ports, stop))
    server.start()
    port, pid = ports.get(timeout=60)
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
    rss = peak_rss_mib(pid)
    del stores
    stop.set()
    server.join()
    return elapsed, rss


def main():
    counts = [int(n) for n in sys.argv[1:]] or [1024, 4096]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print("| torch TCPStore clients | time to barrier | server peak RSS |")
    print("|---:|---:|---:|")
    for clients in counts:
        if clients + 64 > hard:
            print(f"| {clients} | skipped: fd limit {hard} | |")
            continue
        elapsed, rss = one_round(clients)
        print(f"| {clients} | {elapsed:.3f} s | {rss:.1f} MiB |", flush=True)


if __name__ == "__main__":
    main()
