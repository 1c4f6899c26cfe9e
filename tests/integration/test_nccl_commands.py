"""The NCCL backend through the real launcher, on a GPU machine: `accel test
--device cuda` (every collective x type x op on device buffers, checked
against known results) and `accel bench --device cuda` (#wrong 0, times
from CUDA events). Skips (exit 77, with the reason) where there is no GPU --
always in CI; tests/gpu/nccl.sh runs it on the GPU machine."""
import os
import unittest

import harness
from harness import run_accel, temp_dir
from test_accel_bench_command import table_rows
from test_launch_gpu import gpu_count


class NcclCommands(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf"), "ACCEL_RUNTIME_TIMEOUT": "120"}

    def test_accel_test_on_the_gpus(self):
        r = run_accel(["test", "--device", "cuda"], env=self.env, cwd=self.work, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Test is a success!", r.stdout)

    def test_accel_bench_on_the_gpus(self):
        r = run_accel(["bench", "--device", "cuda", "--op", "all", "-b", "8", "-e", "16M", "-f",
                       "8", "-n", "20", "-w", "5"], env=self.env, cwd=self.work, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("nccl", r.stdout)  # the communicator's description in each header
        tables = table_rows(r.stdout)
        self.assertEqual(sorted(tables),
                         ["all_gather", "all_reduce", "broadcast", "reduce_scatter"])
        for op, rows in tables.items():
            self.assertTrue(rows, op)
            for row in rows:
                self.assertEqual(row["#wrong"], "0", (op, row))

    def test_bf16_avg_and_the_rooted_collectives(self):
        for op in ("reduce", "gather"):
            r = run_accel(["bench", "--device", "cuda", "--op", op, "-d", "bf16", "-o", "avg",
                           "-b", "2", "-e", "64K", "-f", "32", "-n", "5", "-w", "1"],
                          env=self.env, cwd=self.work, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for row in table_rows(r.stdout)[op]:
                self.assertEqual(row["#wrong"], "0", (op, row))


if __name__ == "__main__":
    if gpu_count() == 0:
        harness.skip_file("no CUDA GPU visible to the test Python's torch; the NCCL backend's "
                          "commands run on the GPU machine via tests/gpu/nccl.sh")
    harness.main()
