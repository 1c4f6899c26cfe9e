"""The collectives across machines through the real launcher: two `accel
launch` processes on 127.0.0.1, two workers each, so the Communicator
builds the hierarchical group (shared memory within each launcher's
workers, TCP between the two machines' first workers). A native worker
(workers/machines_collectives_worker.cpp, found through
ACCEL_MACHINES_COLLECTIVES_WORKER) checks every collective against known
values; a worker killed mid-job makes the others fail promptly, naming it,
and leaves nothing in /dev/shm."""
import os
import time
import unittest

import harness
from harness import temp_dir
from machines import Machines

WORKER = os.environ.get("ACCEL_MACHINES_COLLECTIVES_WORKER", "")


def shm_names():
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith("accel-")}
    except FileNotFoundError:
        return set()


class CollectivesAcrossMachines(unittest.TestCase):
    def setUp(self):
        if not WORKER:
            self.skipTest("ACCEL_MACHINES_COLLECTIVES_WORKER is not set (run through ctest)")
        self.work = temp_dir(self)
        self.shm_before = shm_names()

    def launch(self, worker_args, timeout_seconds, token="s3cret"):
        env = {"ACCEL_RUNTIME_TIMEOUT": str(timeout_seconds)}
        flags = ["--cpu", "--num_processes", "4"]
        if token:
            flags += ["--rdzv_token", token]
        with Machines(self.work, 2, flags,
                      [WORKER, self.work] + worker_args, env=env) as job:
            codes = job.wait(timeout=240)
            outputs = [job.output(r) for r in range(2)]
        return codes, "".join(out + err for out, err in outputs)

    def test_two_machines_of_two_get_every_result_right(self):
        # Without --rdzv_token, as most first runs are: the workers get an
        # empty job token and must still reach the store.
        codes, output = self.launch([], 120, token=None)
        self.assertEqual(codes, [0, 0], output)
        for rank in range(4):
            self.assertTrue(os.path.exists(os.path.join(self.work, f"ok{rank}")),
                            f"rank {rank} did not finish its checks:\n{output}")
        with open(os.path.join(self.work, "describe")) as f:
            description = f.read()
        self.assertIn("shared memory", description)
        self.assertIn("tcp", description)
        self.assertIn("2 machines", description)
        self.assertEqual(shm_names() - self.shm_before, set())

    def test_a_killed_worker_fails_the_others_promptly_naming_it(self):
        started = time.monotonic()
        # The timeout is long: the job must end because rank 3 died, not by it.
        codes, output = self.launch(["kill", "3"], 300)
        self.assertLess(time.monotonic() - started, 120, output)
        self.assertTrue(any(code != 0 for code in codes), output)
        # The launchers usually stop the others before their collectives
        # notice (the unit tests check the runtime's own messages); either
        # way rank 3 is the one named.
        self.assertRegex(output, r"rank 3 \(local rank 1\) on \S+ was killed by SIGKILL")
        for line in output.splitlines():
            if "machines_collectives_worker rank" in line:
                self.assertRegex(line, r"rank 3 \(pid \d+\) died|rank [23] disconnected")
        self.assertNotIn("timed out", output)
        self.assertEqual(shm_names() - self.shm_before, set())


if __name__ == "__main__":
    harness.main()
