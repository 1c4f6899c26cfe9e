"""`accel bench` through the real launcher: an nccl-tests-style table with
one row per size from -b to -e, bus bandwidths by nccl-tests' factors, and
#wrong 0 for every collective, type and world size; --device cuda without a
GPU and bad values are refused with what to do."""
import os
import shutil
import unittest

import harness
from harness import run_accel, temp_dir

COLUMNS = ["size", "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong"]


def table_rows(stdout):
    """{op: [row dict, ...]} from the bench's tables."""
    tables = {}
    op = None
    for line in stdout.splitlines():
        if line.startswith("# accel bench "):
            op = line.split()[3].rstrip(":")
            tables[op] = []
        elif line and not line.startswith("#"):
            fields = line.split()
            assert len(fields) == len(COLUMNS), line
            tables[op].append(dict(zip(COLUMNS, fields)))
    return tables


class AccelBench(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf"), "ACCEL_RUNTIME_TIMEOUT": "120"}

    def bench(self, *args):
        return run_accel(["bench", *args], env=self.env, cwd=self.work, timeout=300)

    def test_one_row_per_size_and_nothing_wrong(self):
        r = self.bench("--num_processes", "1", "-b", "8", "-e", "1K", "-n", "3", "-w", "1")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("#       size         count      type   redop    root      time    algbw",
                      r.stdout)
        rows = table_rows(r.stdout)["all_reduce"]
        self.assertEqual([int(row["size"]) for row in rows], [8, 16, 32, 64, 128, 256, 512, 1024])
        self.assertEqual([int(row["count"]) for row in rows], [2, 4, 8, 16, 32, 64, 128, 256])
        for row in rows:
            self.assertEqual(row["type"], "float32")
            self.assertEqual(row["redop"], "sum")
            self.assertEqual(row["#wrong"], "0")
            self.assertEqual(float(row["busbw"]), 0.0)  # a world of one moves nothing
        self.assertIn("# Rows with wrong values: 0 OK", r.stdout)

    def test_every_op_and_world_size(self):
        for n in (2, 3, 4):
            with self.subTest(num_processes=n):
                r = self.bench("--num_processes", str(n), "--op", "all", "-b", "8", "-e", "4M",
                               "-f", "8", "-n", "2", "-w", "1")
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                tables = table_rows(r.stdout)
                self.assertEqual(sorted(tables),
                                 ["all_gather", "all_reduce", "broadcast", "reduce_scatter"])
                for op, rows in tables.items():
                    self.assertEqual(len(rows), 7, (op, rows))  # 8, 64, ... 2M
                    for row in rows:
                        self.assertEqual(row["#wrong"], "0", (op, row))
                    big = rows[-1]
                    factor = {"all_reduce": 2 * (n - 1) / n, "all_gather": (n - 1) / n,
                              "reduce_scatter": (n - 1) / n, "broadcast": 1.0}[op]
                    self.assertAlmostEqual(float(big["busbw"]), float(big["algbw"]) * factor,
                                           delta=0.011 + 0.01 * float(big["busbw"]))
                    self.assertEqual(big["root"], "0" if op == "broadcast" else "-1")

    def test_types_and_ops(self):
        for dtype, redop in (("bf16", "avg"), ("float16", "max"), ("int64", "min"),
                             ("float64", "sum")):
            with self.subTest(dtype=dtype, redop=redop):
                r = self.bench("--num_processes", "3", "--dtype", dtype, "--redop", redop,
                               "--op", "reduce_scatter", "-b", "1K", "-e", "1M", "-f", "32",
                               "-n", "2")
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                for row in table_rows(r.stdout)["reduce_scatter"]:
                    self.assertEqual(row["#wrong"], "0", row)
                    self.assertEqual(row["redop"], redop)

    def test_cuda_without_a_gpu_is_refused_saying_so(self):
        # With a GPU, test_nccl_commands.py runs --device cuda for real.
        if shutil.which("nvidia-smi"):
            self.skipTest("this machine may have a GPU: test_nccl_commands.py covers it")
        for command in (["bench"], ["test"]):
            r = run_accel([*command, "--device", "cuda"], env=self.env, cwd=self.work,
                          timeout=60)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("no CUDA device: ", r.stderr)
            self.assertNotIn("Traceback", r.stderr)

    def test_bad_values_are_named(self):
        for args, named in ((["-b", "8X"], "--minbytes (-b): '8X' is not a size"),
                            (["-b", "1M", "-e", "1K"], "above the largest"),
                            (["-f", "1"], "at least 2"),
                            (["--dtype", "float8"], "--dtype: 'float8' is not a type"),
                            (["--op", "allreduce"], "--op: 'allreduce' is not a collective"),
                            (["--num_processes", "2", "--root", "2"], "--root 2 is not a process")):
            with self.subTest(args=args):
                r = self.bench(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(named, r.stderr)


if __name__ == "__main__":
    harness.main()
