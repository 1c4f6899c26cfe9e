"""Several machines on one host: two to four `accel launch` processes on
127.0.0.1, each with its own --machine_rank, forming one job through the
rendezvous, with real torch gloo all-reduces; and the refusals and stops a
user relies on (wrong token, duplicate rank, disagreeing world size, a
machine that never joins, a worker that fails on one machine, a machine
killed mid-job). Real processes, no mocks of the network."""
import json
import os
import signal
import socket
import time
import unittest

import harness
from harness import live_pids_with_marker, temp_dir
from machines import Machines
from worker_scripts import ALL_REDUCE


# Rank FAIL_RANK (from the environment) fails after every rank has started;
# the others would sleep for ten minutes.
FAIL_ONE = r"""
import os, sys, time
rank = int(os.environ["RANK"])
open(os.path.join(sys.argv[1], "started%d" % rank), "w").close()
if rank == int(os.environ["FAIL_RANK"]):
    deadline = time.monotonic() + 60
    while len([n for n in os.listdir(sys.argv[1]) if n.startswith("started")]) < int(os.environ["WORLD_SIZE"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    print("boom from rank %d" % rank, file=sys.stderr, flush=True)
    sys.exit(3)
time.sleep(600)
"""

SLEEP = r"""
import os, sys, time
open(os.path.join(sys.argv[1], "started%s" % os.environ["RANK"]), "w").close()
time.sleep(600)
"""


class SeveralMachines(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.marker = f"accel-machines-{os.getpid()}-{id(self)}"

    def script(self, text):
        path = os.path.join(self.work, "script.py")
        with open(path, "w") as f:
            f.write(text)
        return path

    def wait_for_files(self, prefix, count, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len([n for n in os.listdir(self.work) if n.startswith(prefix)]) >= count:
                return
            time.sleep(0.05)
        self.fail(f"{count} {prefix}* files did not appear within {timeout} s")

    def assert_no_worker_left(self):
        deadline = time.monotonic() + 10
        while live_pids_with_marker(self.marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(live_pids_with_marker(self.marker), [])

    def all_reduce(self, machines, per_machine):
        script = self.script(ALL_REDUCE)
        # A tutorial's `export RANK=1 WORLD_SIZE=2` in the launcher's shell
        # must not reach the workers.
        env = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "5", "GROUP_RANK": "9",
               "ACCEL_TEST_MARKER": self.marker}
        with Machines(self.work, machines, ["--cpu", "--num_processes", str(machines * per_machine),
                                            "--rdzv_token", "s3cret"],
                      [script, self.work], env=env) as job:
            codes = job.wait(timeout=240)
            outputs = [job.output(r) for r in range(machines)]
        self.assertEqual(codes, [0] * machines, outputs)
        world = machines * per_machine
        reports = []
        for rank in range(world):
            with open(os.path.join(self.work, f"rank{rank}.json")) as f:
                reports.append(json.load(f))
        for rank, report in enumerate(reports):
            self.assertEqual(report["RANK"], str(rank))
            self.assertEqual(report["WORLD_SIZE"], str(world))
            self.assertEqual(report["LOCAL_RANK"], str(rank % per_machine))
            self.assertEqual(report["LOCAL_WORLD_SIZE"], str(per_machine))
            self.assertEqual(report["GROUP_RANK"], str(rank // per_machine))
            self.assertEqual(report["GROUP_WORLD_SIZE"], str(machines))
            self.assertEqual(report["MASTER_ADDR"], "127.0.0.1")
            self.assertEqual(report["MASTER_PORT"], reports[0]["MASTER_PORT"])
            self.assertNotEqual(report["MASTER_PORT"], str(job.port))
            self.assertEqual(report["ACCEL_JOB_TOKEN"], "s3cret")
            self.assertEqual(report["ACCEL_STORE_PORT"], str(job.port))
            self.assertEqual(report["TORCHELASTIC_RUN_ID"], reports[0]["TORCHELASTIC_RUN_ID"])
        self.assert_no_worker_left()

    def test_two_machines_world_of_four(self):
        self.all_reduce(2, 2)

    def test_four_machines_world_of_eight(self):
        self.all_reduce(4, 2)

    def test_wrong_token_is_refused(self):
        script = self.script(SLEEP)
        with Machines(self.work, 2, ["--cpu", "--num_processes", "2", "--join_timeout", "20"],
                      [script, self.work], per_machine=lambda r: ["--rdzv_token",
                                                                  "right" if r == 0 else "wrong"],
                      env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=60)
            err1 = job.output(1)[1]
        self.assertNotEqual(codes[1], 0)
        self.assertIn("token", err1)
        self.assertFalse([n for n in os.listdir(self.work) if n.startswith("started")],
                         "a worker started although a machine was refused")
        self.assert_no_worker_left()

    def test_duplicate_machine_rank_is_refused(self):
        script = self.script(SLEEP)
        with Machines(self.work, 3, ["--cpu", "--num_processes", "3", "--join_timeout", "15"],
                      [script, self.work], per_machine=lambda r: ["--machine_rank", "1"] if r == 2 else [],
                      env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=60)
            errs = "".join(job.output(r)[1] for r in range(3))
        self.assertTrue(any(code != 0 for code in codes))
        self.assertIn("machine rank 1", errs.replace("machine_rank 1", "machine rank 1"))
        self.assert_no_worker_left()

    def test_disagreeing_world_size_is_refused(self):
        script = self.script(SLEEP)
        with Machines(self.work, 2, ["--cpu", "--join_timeout", "20"], [script, self.work],
                      per_machine=lambda r: ["--num_processes", "4" if r == 0 else "6"],
                      env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=60)
            err1 = job.output(1)[1]
        self.assertNotEqual(codes[1], 0)
        self.assertIn("num_processes", err1)
        self.assertIn("6", err1)
        self.assertIn("4", err1)
        self.assert_no_worker_left()

    def test_machine_that_never_joins_times_out_naming_it(self):
        script = self.script(SLEEP)
        # Only machines 0 and 1 of 3 are started.
        with Machines(self.work, 2, ["--cpu", "--num_processes", "3", "--join_timeout", "3"],
                      [script, self.work], per_machine=lambda r: ["--num_machines", "3"],
                      env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=60)
            err0 = job.output(0)[1]
        self.assertNotEqual(codes[0], 0)
        self.assertIn("2", err0)
        self.assertIn("join", err0.lower())
        self.assert_no_worker_left()

    def test_worker_failure_on_one_machine_stops_every_machine(self):
        script = self.script(FAIL_ONE)
        started = time.monotonic()
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--grace_period", "5"],
                      [script, self.work], env={"FAIL_RANK": "3", "ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=120)
            errs = [job.output(r)[1] for r in range(2)]
        self.assertEqual(codes, [3, 3], errs)
        self.assertLess(time.monotonic() - started, 60)
        for err in errs:
            self.assertIn("rank 3 (local rank 1)", err)
            self.assertIn("boom from rank 3", err)
        self.assert_no_worker_left()

    def test_machine_killed_mid_job_stops_the_others(self):
        script = self.script(SLEEP)
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--heartbeat_interval", "0.2",
                                     "--heartbeat_timeout", "2", "--grace_period", "2"],
                      [script, self.work], env={"ACCEL_TEST_MARKER": self.marker}) as job:
            self.wait_for_files("started", 4)
            job.kill(1)
            codes = job.wait(timeout=60)
            err0 = job.output(0)[1]
        self.assertNotEqual(codes[0], 0)
        self.assertIn("machine 1", err0)
        self.assert_no_worker_left()

    def test_machine_0_killed_mid_job_stops_the_others(self):
        # Machine 0 serves the rendezvous: the others lose it and stop.
        script = self.script(SLEEP)
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--heartbeat_interval", "0.2",
                                     "--heartbeat_timeout", "2", "--grace_period", "2"],
                      [script, self.work], env={"ACCEL_TEST_MARKER": self.marker}) as job:
            self.wait_for_files("started", 4)
            job.kill(0)
            codes = job.wait(timeout=60)
            err1 = job.output(1)[1]
        self.assertNotEqual(codes[1], 0)
        self.assertIn("rendezvous", err1)
        self.assert_no_worker_left()

    def test_ctrl_c_on_one_machine_stops_every_machine(self):
        script = self.script(SLEEP)
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--grace_period", "5"],
                      [script, self.work], env={"ACCEL_TEST_MARKER": self.marker}) as job:
            self.wait_for_files("started", 4)
            job.kill(1, signal.SIGINT)
            codes = job.wait(timeout=60)
            errs = [job.output(r)[1] for r in range(2)]
        self.assertEqual(codes, [130, 130], errs)
        self.assertIn("SIGINT", errs[0])
        self.assert_no_worker_left()

    def test_output_prefix_template_and_ranks_filter(self):
        script = self.script(r"""
import os
print("line from", os.environ["RANK"], flush=True)
""")
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--ranks_filter", "1,2",
                                     "--log_line_prefix_template", "${host}/${rank}.${local_rank}| "],
                      [script], env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=120)
            outs = [job.output(r)[0] for r in range(2)]
        self.assertEqual(codes, [0, 0], outs)
        host = socket.gethostname()
        self.assertEqual(outs[0], f"{host}/1.1| line from 1\n")
        self.assertEqual(outs[1], f"{host}/2.0| line from 2\n")

    def test_restart_runs_every_machine_again(self):
        script = self.script(r"""
import os, sys
marker = os.path.join(sys.argv[1], "failed-once")
if os.environ["RANK"] == "2" and not os.path.exists(marker):
    open(marker, "w").close()
    sys.exit(5)
open(os.path.join(sys.argv[1], "done%s-%s" % (os.environ["RANK"], os.environ["TORCHELASTIC_RESTART_COUNT"])), "w").close()
""")
        with Machines(self.work, 2, ["--cpu", "--num_processes", "4", "--max_restarts", "1"],
                      [script, self.work], env={"ACCEL_TEST_MARKER": self.marker}) as job:
            codes = job.wait(timeout=120)
            errs = [job.output(r)[1] for r in range(2)]
        self.assertEqual(codes, [0, 0], errs)
        for rank in range(4):
            self.assertTrue(os.path.exists(os.path.join(self.work, f"done{rank}-1")), rank)


if __name__ == "__main__":
    harness.main()
