"""libaccel's collectives through the real launcher on one machine (the
shared-memory group): a native worker (workers/collective_worker.cpp, found
through ACCEL_COLLECTIVE_WORKER) checks every op and type against exact
results on 1, 2, 3, 4 and 8 processes (8 oversubscribes this machine), and
64 MiB buffers; a rank SIGKILLed in the middle of a collective makes the
others fail naming it; a rank that never calls a collective is named by the
others' timeout; and nothing is ever left in /dev/shm."""
import os
import re
import unittest

import harness
from harness import run_accel, temp_dir

WORKER = os.environ.get("ACCEL_COLLECTIVE_WORKER", "")
PASSED = "collective_worker: every check passed on WORLD_SIZE="


class Collectives(unittest.TestCase):
    def setUp(self):
        if not WORKER:
            self.skipTest("ACCEL_COLLECTIVE_WORKER is not set (run through ctest)")
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf")}  # no default config file

    def launch(self, processes, args, env=None, timeout=240):
        r = run_accel(["launch", "--cpu", "--num_processes", str(processes), WORKER] + args,
                      env=dict(self.env, **(env or {})), cwd=self.work, timeout=timeout)
        output = r.stdout + r.stderr
        # The job's segment, named by rank 0: unlinked whatever happened.
        segment = re.search(r"collective_worker: segment /(\S+)", output)
        if processes > 1:
            self.assertIsNotNone(segment, output)
            self.assertFalse(os.path.exists(os.path.join("/dev/shm", segment.group(1))),
                             f"/dev/shm/{segment.group(1)} was left behind\n{output}")
        return r, output

    def test_every_op_and_type_on_1_2_3_4_and_8_processes(self):
        for processes in (1, 2, 3, 4, 8):
            with self.subTest(processes=processes):
                r, output = self.launch(processes, ["check"])
                self.assertEqual(r.returncode, 0, output)
                self.assertIn(PASSED + str(processes), r.stdout)

    def test_64_mib_buffers(self):
        for processes in (2, 4):
            with self.subTest(processes=processes):
                r, output = self.launch(processes, ["big"])
                self.assertEqual(r.returncode, 0, output)
                self.assertIn(PASSED + str(processes), r.stdout)

    def test_a_rank_killed_in_a_collective_is_named_by_the_others(self):
        r, output = self.launch(4, ["kill", "2"], timeout=120)
        self.assertNotEqual(r.returncode, 0, output)
        named = re.findall(r"collective_worker rank (\d): all_reduce #\d+ on rank \d failed: "
                           r"rank 2 \(pid \d+\) died during all_reduce #\d+", output)
        self.assertEqual(sorted(named), ["0", "1", "3"], output)

    def test_a_rank_that_skips_a_collective_is_named_by_the_timeout(self):
        r, output = self.launch(3, ["skip", "1"], env={"ACCEL_RUNTIME_TIMEOUT": "3"},
                                timeout=120)
        self.assertNotEqual(r.returncode, 0, output)
        self.assertRegex(output, r"all_reduce #2 on rank [02] timed out after 3 s: "
                                 r"rank 1 did not arrive \(rank 1 is at collective #1\)")


if __name__ == "__main__":
    harness.main()
