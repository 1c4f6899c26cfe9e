"""Two or three machines, each in a network namespace of its own (netns.py): its
own address, its own loopback, the same hostname. Every `accel launch` is
started inside its namespace with --main_process_ip = machine 0's namespace
address, as on separate hosts, and the workers run a real torch gloo
all-reduce: it only works when accel hands them MASTER_ADDR = machine 0's
address and GLOO_SOCKET_IFNAME = the namespace's interface (gloo would
otherwise advertise what the hostname resolves to, a loopback address).
And the classic mistake, machine 0 told 127.0.0.1 while the others were
given its real address, fails at once on every machine, naming the address
and port that could not be reached. Real processes and real TCP; skipped
where namespaces cannot be made (not root)."""
import faulthandler
import json
import os
import subprocess
import time
import unittest

import harness
from harness import TEST_PYTHON, live_pids_with_marker, temp_dir
from machines import Machines
import netns
from netns import NetNamespaces
from worker_scripts import ALL_REDUCE

# Every rank checks the sum and writes what it was given.

SLEEP = r"""
import os, sys, time
open(os.path.join(sys.argv[1], "started%s" % os.environ["RANK"]), "w").close()
time.sleep(600)
"""


def torch_missing():
    probe = subprocess.run([TEST_PYTHON, "-c", "import torch.distributed"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else probe.stderr.strip()[-200:]


class MachinesInNamespaces(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = NetNamespaces(3)
        cls.net.create()  # SkipTest where namespaces cannot be made
        cls.addClassCleanup(cls.net.remove)

    def setUp(self):
        self.work = temp_dir(self)
        self.marker = f"accel-netns-{os.getpid()}-{id(self)}"

    def script(self, text):
        path = os.path.join(self.work, "script.py")
        with open(path, "w") as f:
            f.write(text)
        return path

    def machines(self, script, args, count=2, **kwargs):
        """`count` launchers, launcher i inside namespace i."""
        env = {"ACCEL_TEST_MARKER": self.marker}
        env.update(kwargs.pop("env", {}))
        # Whatever the test's own environment says must not decide the
        # interface: accel picks it.
        env_prefix = ["env", "-u", "GLOO_SOCKET_IFNAME"]
        return Machines(self.work, count, args, [script, self.work], env=env,
                        prefix=lambda rank: self.net.command(rank, env_prefix),
                        main_ip=kwargs.pop("main_ip", self.net.addresses[0]), **kwargs)

    def assert_nothing_left(self):
        deadline = time.monotonic() + 10
        while live_pids_with_marker(self.marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(live_pids_with_marker(self.marker), [], "workers left running")
        for i in range(self.net.count):
            self.assertEqual(netns.pids_in_namespace(self.net.path(i)), [],
                             f"processes left in namespace {i}")

    def all_reduce(self, machines, per_machine):
        missing = torch_missing()
        if missing:
            self.skipTest(f"{TEST_PYTHON} has no torch: {missing}")
        script = self.script(ALL_REDUCE)
        world = machines * per_machine
        started = time.monotonic()
        with self.machines(script, ["--cpu", "--num_processes", str(world)],
                           count=machines) as job:
            codes = job.wait(timeout=120)
            outputs = [job.output(r) for r in range(machines)]
        seconds = time.monotonic() - started
        self.assertEqual(codes, [0] * machines, outputs)
        reports = []
        for rank in range(world):
            with open(os.path.join(self.work, f"rank{rank}.json")) as f:
                reports.append(json.load(f))
        for rank, report in enumerate(reports):
            self.assertEqual(report["RANK"], str(rank), report)
            self.assertEqual(report["WORLD_SIZE"], str(world), report)
            self.assertEqual(report["LOCAL_RANK"], str(rank % per_machine), report)
            self.assertEqual(report["LOCAL_WORLD_SIZE"], str(per_machine), report)
            self.assertEqual(report["GROUP_RANK"], str(rank // per_machine), report)
            self.assertEqual(report["GROUP_WORLD_SIZE"], str(machines), report)
            self.assertEqual(report["MASTER_ADDR"], self.net.addresses[0], report)
            self.assertEqual(report["MASTER_PORT"], reports[0]["MASTER_PORT"], report)
            self.assertEqual(report["GLOO_SOCKET_IFNAME"], self.net.interface, report)
            self.assertEqual(report["TORCHELASTIC_RUN_ID"], reports[0]["TORCHELASTIC_RUN_ID"])
        self.assert_nothing_left()
        print(f"\nnetns: {machines} machines, world of {world}: {seconds:.1f} s", flush=True)

    def test_gloo_all_reduce_across_namespaces_world_of_four(self):
        self.all_reduce(2, 2)

    def test_gloo_all_reduce_across_three_namespaces_world_of_six(self):
        self.all_reduce(3, 2)

    def loopback_mismatch(self):
        """Machine 0 told its own loopback, machine 1 its real address; returns
        (exit codes, stderr of each, seconds)."""
        script = self.script(SLEEP)
        started = time.monotonic()
        # The later flag wins over Machines' --main_process_ip. Machine 1
        # joins the rendezvous through the real address, but MASTER_ADDR
        # 127.0.0.1 is its own loopback, where nothing listens.
        with self.machines(script, ["--cpu", "--num_processes", "4", "--join_timeout", "60"],
                           per_machine=lambda rank: [
                               "--main_process_ip",
                               "127.0.0.1" if rank == 0 else self.net.addresses[0]]) as job:
            codes = job.wait(timeout=90)
            errs = [job.output(r)[1] for r in range(2)]
        seconds = time.monotonic() - started
        self.assertFalse([n for n in os.listdir(self.work) if n.startswith("started")],
                         "workers started although machine 1 cannot reach MASTER_ADDR")
        self.assert_nothing_left()
        return codes, errs, seconds

    def test_loopback_main_process_ip_on_machine_0_fails_at_once_everywhere(self):
        codes, errs, seconds = self.loopback_mismatch()
        self.assertTrue(all(code != 0 for code in codes), (codes, errs))
        self.assertLess(seconds, 30, errs)
        for err in errs:
            # Both machines say what was tried, from where.
            self.assertRegex(err, r"machine 1 .*cannot reach MASTER_ADDR:MASTER_PORT "
                                  r"127\.0\.0\.1:\d+", errs)
        print(f"\nloopback main_process_ip: both machines stopped after {seconds:.1f} s",
              flush=True)

    # Machines in network namespaces (like containers) share a host name: an
    # unreachable loopback MASTER_ADDR means another host all the same.
    def test_loopback_main_process_ip_failure_gives_the_loopback_hint(self):
        codes, errs, _ = self.loopback_mismatch()
        for err in errs:
            self.assertIn("loopback", err, "the hint: 127.0.0.1 is machine 0's own loopback")


if __name__ == "__main__":
    # A hang prints where every thread was before ctest's TIMEOUT.
    faulthandler.dump_traceback_later(170, exit=True)
    harness.main()
