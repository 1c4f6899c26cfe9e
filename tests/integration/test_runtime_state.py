"""libaccel's DistributedState through the real launcher: a native worker
(workers/state_worker.cpp, found through ACCEL_STATE_WORKER) checks its
state, prints from the main process only, meets the others at barriers and
in main_process_first; run by hand it is a world of one. A rank that never
reaches a barrier makes the others fail naming it."""
import os
import subprocess
import unittest

import harness
from harness import run_accel, temp_dir

WORKER = os.environ.get("ACCEL_STATE_WORKER", "")
LAUNCHER_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK",
                 "ACCEL_STORE_ADDR", "ACCEL_STORE_PORT", "ACCEL_JOB_TOKEN", "ACCEL_JOB_ID",
                 "ACCEL_RUNTIME_TIMEOUT")
MAIN_LINE = "state_worker: main process of"


class RuntimeState(unittest.TestCase):
    def setUp(self):
        if not WORKER:
            self.skipTest("ACCEL_STATE_WORKER is not set (run through ctest)")
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf")}  # no default config file

    def test_four_ranks_meet_and_main_goes_first(self):
        r = run_accel(["launch", "--cpu", "--num_processes", "4", WORKER, self.work, "4"],
                      env=self.env, cwd=self.work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual((r.stdout + r.stderr).count(MAIN_LINE), 1, r.stdout + r.stderr)
        self.assertIn(MAIN_LINE + " 4", r.stdout)
        self.assertTrue(os.path.exists(os.path.join(self.work, "main_was_first")))

    def test_without_a_launcher_it_is_a_world_of_one(self):
        env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARS}
        r = subprocess.run([WORKER, self.work, "1"], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, MAIN_LINE + " 1\n")

    def test_a_rank_missing_from_a_barrier_is_named(self):
        env = dict(self.env, ACCEL_RUNTIME_TIMEOUT="2")
        r = run_accel(["launch", "--cpu", "--num_processes", "3", WORKER, self.work, "3",
                       "absent-rank", "2"], env=env, cwd=self.work, timeout=90)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("rank 2 of WORLD_SIZE=3 did not arrive", r.stdout + r.stderr)


if __name__ == "__main__":
    harness.main()
