"""`accel launch` under a real SLURM cluster (slurm_cluster.py: slurmctld and
two slurmd nodes, n1 and n2, on this host), through sbatch job scripts in the
forms docs/slurm.md documents:

  one launcher per node   #SBATCH --nodes=2 --ntasks-per-node=1
                          srun accel launch --num_processes 4 script.py
  one launcher per task   #SBATCH --nodes=2 --ntasks-per-node=2
                          srun accel launch --num_processes $SLURM_NTASKS script.py

Every value but --num_processes comes from SLURM's variables: the machines,
this node's rank, machine 0 = the first host of SLURM_JOB_NODELIST (n[1-2]
-> n1), the run id. The workers run a real torch gloo all-reduce over a
world of 4. A worker failing on node 2 ends the job on both nodes within
seconds, both launchers naming the root cause and the step exiting with its
code; scancel leaves no worker behind. With network namespaces
(SlurmCluster(netns=)) each node has an address of its own, as real nodes
do, and the default main_process_port is used.

Node names: the test nodes are n1 and n2, names SLURM gives them
(NodeName, with NodeAddr = the address slurmd is reached at), which this
host's resolver does not know, while on a real cluster node names resolve
(DNS or /etc/hosts), and accel hands machine 0's *name* to every launcher
and worker as main_process_ip / MASTER_ADDR. So each launcher runs in a
mount namespace of its own where /etc/hosts also names n1 and n2 (`unshare
--mount` + a bind mount; the rest of the machine is untouched): the command
line under test stays exactly the documented one. One test runs without
that, to pin down what a user sees when the first node's name does not
resolve."""
import faulthandler
import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
import unittest
import uuid

import harness
from harness import TEST_PYTHON, live_pids_with_marker, temp_dir
from leftovers import wait_until_gone
from machines import free_port
import netns
from slurm_cluster import SlurmCluster
from worker_scripts import ALL_REDUCE

ACCEL = shutil.which(harness.ACCEL) or harness.ACCEL


# Rank FAIL_RANK fails once every rank has started; the others sleep.
FAIL_ONE = r"""
import os, sys, time
rank = int(os.environ["RANK"])
open(os.path.join(sys.argv[1], "started%d" % rank), "w").close()
if rank == int(os.environ["FAIL_RANK"]):
    deadline = time.monotonic() + 60
    world = int(os.environ["WORLD_SIZE"])
    while len([n for n in os.listdir(sys.argv[1]) if n.startswith("started")]) < world:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    open(os.path.join(sys.argv[1], "failing"), "w").close()
    print("boom from rank %d on %s" % (rank, os.environ["SLURMD_NODENAME"]), file=sys.stderr,
          flush=True)
    sys.exit(3)
time.sleep(600)
"""

# Writes what it was given; no torch.
RANK_REPORT = r"""
import json, os, sys
with open(os.path.join(sys.argv[1], "rank%s.json" % os.environ["RANK"]), "w") as f:
    json.dump({k: os.environ.get(k) for k in (
        "RANK", "LOCAL_RANK", "WORLD_SIZE", "GROUP_RANK", "SLURM_NODEID")}, f)
"""

SLEEP = r"""
import os, sys, time
open(os.path.join(sys.argv[1], "started%s" % os.environ["RANK"]), "w").close()
time.sleep(600)
"""

# Sleeps; on SIGUSR1 notes it (usr1-<rank>-<n>: the n-th time) and sleeps
# on; on SIGTERM takes a second to "save a checkpoint" (saved<rank>), then
# exits.
SIGNALS = r"""
import os, signal, sys, time
rank, work = os.environ["RANK"], sys.argv[1]
heard = []
def on_usr1(signum, frame):
    heard.append(signum)
    open(os.path.join(work, "usr1-%s-%d" % (rank, len(heard))), "w").close()
def on_term(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(1)
    open(os.path.join(work, "saved%s" % rank), "w").close()
    sys.exit(0)
signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(signal.SIGTERM, on_term)
open(os.path.join(work, "started%s" % rank), "w").close()
while True:
    time.sleep(600)
"""


def torch_missing():
    probe = subprocess.run([TEST_PYTHON, "-c", "import torch.distributed"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else probe.stderr.strip()[-200:]


class SlurmLaunchBase:
    """The cluster (one per test class) and what every test does with it."""
    netns_count = 0  # > 0: each node in a network namespace of its own

    @classmethod
    def setUpClass(cls):
        # The launchers' private /etc/hosts needs a mount namespace.
        if shutil.which("unshare") is None:
            raise unittest.SkipTest("`unshare` is not installed (Debian: util-linux)")
        probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise unittest.SkipTest("`unshare --mount` fails here, and the test nodes' names "
                                    f"resolve only in a mount namespace: {probe.stderr.strip()}")
        cls.net = None
        if cls.netns_count:
            cls.net = netns.NetNamespaces(cls.netns_count)
            cls.net.create()  # SkipTest where namespaces cannot be made
            cls.addClassCleanup(cls.net.remove)
        cls.cluster = SlurmCluster(nodes=2, netns=cls.net)
        cls.cluster.start()  # SkipTest where SLURM cannot run here
        cls.addClassCleanup(cls.cluster.stop)
        # /etc/hosts plus the nodes' names, for the launchers' private view.
        cls.hosts_dir = tempfile.mkdtemp(prefix="accel-slurm-hosts-")
        cls.addClassCleanup(shutil.rmtree, cls.hosts_dir, True)
        cls.hosts_file = os.path.join(cls.hosts_dir, "hosts")
        with open("/etc/hosts") as f:
            system_hosts = f.read()
        with open(cls.hosts_file, "w") as f:
            f.write(system_hosts.rstrip("\n") + "\n")
            for name, address in cls.cluster.node_addresses.items():
                f.write(f"{address} {name}\n")

    def setUp(self):
        self.work = temp_dir(self)
        os.chmod(self.work, 0o755)
        self.marker = f"accel-slurm-test-{uuid.uuid4().hex}"

    def script(self, text):
        path = os.path.join(self.work, "script.py")
        with open(path, "w") as f:
            f.write(text)
        return path

    def srun_launch(self, launch_args, script, srun_args="", resolve_nodes=True,
                    hosts_file=None):
        """The job script's srun line: `srun accel launch ARGS script work`,
        each launcher seeing n1, n2 in /etc/hosts (`hosts_file`, where
        $SLURMD_NODENAME names the node) unless resolve_nodes is false."""
        wrapper = ""
        if resolve_nodes:
            wrapper = (f"unshare --mount sh -c 'mount --bind {hosts_file or self.hosts_file} "
                       "/etc/hosts && exec \"$@\"' with-node-names ")
        return (f"srun {srun_args} {wrapper}{ACCEL} launch --python {TEST_PYTHON} "
                f"{launch_args} {script} {self.work}")

    def job(self, srun_line):
        """The batch script: the srun line, whose exit status is the job's."""
        return textwrap.dedent(f"""\
            #!/bin/sh
            {srun_line}
            """)

    def env(self, **extra):
        env = {"ACCEL_TEST_MARKER": self.marker}
        env.update(extra)
        return env

    def port_args(self):
        """Under netns each node has its own ports, so the documented
        default 29500 is used; on the shared host a free one is passed,
        as docs/slurm.md advises where 29500 may be taken."""
        return "" if self.net else f"--main_process_port {free_port()}"

    def reports(self, count):
        reports = []
        for rank in range(count):
            with open(os.path.join(self.work, f"rank{rank}.json")) as f:
                reports.append(json.load(f))
        return reports

    def assert_nothing_left(self):
        self.assertEqual(wait_until_gone(self.marker, timeout=15), [], "workers left running")
        self.assertEqual(self.cluster.wait_no_job_processes(timeout=10), [])

    def node_address(self, name):
        return self.cluster.node_addresses[name]

    def expected_interface(self):
        return self.net.interface if self.net else "lo"

    def all_reduce_one_launcher_per_node(self):
        missing = torch_missing()
        if missing:
            self.skipTest(f"{TEST_PYTHON} has no torch: {missing}")
        script = self.script(ALL_REDUCE)
        started = time.monotonic()
        result = self.cluster.sbatch_wait(
            self.job(self.srun_launch(f"--cpu --num_processes 4 {self.port_args()}", script,
                                      srun_args="--output=launcher%n.out")),
            args=["--nodes=2", "--ntasks-per-node=1"], env=self.env(), timeout=120)
        seconds = time.monotonic() - started
        self.assertEqual((result.state, result.returncode), ("COMPLETED", 0), result.outputs)
        reports = self.reports(4)
        for rank, report in enumerate(reports):
            where = (rank, report, result.outputs)
            self.assertEqual(report["RANK"], str(rank), where)
            self.assertEqual(report["WORLD_SIZE"], "4", where)
            self.assertEqual(report["LOCAL_RANK"], str(rank % 2), where)
            self.assertEqual(report["LOCAL_WORLD_SIZE"], "2", where)
            self.assertEqual(report["GROUP_RANK"], str(rank // 2), where)
            self.assertEqual(report["GROUP_WORLD_SIZE"], "2", where)
            self.assertEqual(report["SLURM_NODEID"], str(rank // 2), where)
            self.assertEqual(report["SLURMD_NODENAME"], f"n{rank // 2 + 1}", where)
            # Machine 0 is the first host of SLURM_JOB_NODELIST=n[1-2].
            self.assertEqual(report["MASTER_ADDR"], "n1", where)
            self.assertEqual(report["MASTER_PORT"], reports[0]["MASTER_PORT"], where)
            self.assertEqual(report["GLOO_SOCKET_IFNAME"], self.expected_interface(), where)
            # <SLURM_JOB_ID>.<SLURM_STEP_ID>, the same on both nodes.
            self.assertEqual(report["TORCHELASTIC_RUN_ID"], f"{result.job_id}.0", where)
        self.assert_nothing_left()
        return seconds

    def say(self, what, seconds):
        print(f"\n{'netns: ' if self.net else ''}{what}: {seconds:.1f} s", flush=True)

    # -- run on both clusters ---------------------------------------------

    def test_one_launcher_per_node_gloo_world_of_four(self):
        self.say("one launcher per node, world of 4", self.all_reduce_one_launcher_per_node())

    def test_one_launcher_per_task_gloo_world_of_four(self):
        missing = torch_missing()
        if missing:
            self.skipTest(f"{TEST_PYTHON} has no torch: {missing}")
        script = self.script(ALL_REDUCE)
        started = time.monotonic()
        result = self.cluster.sbatch_wait(
            self.job(self.srun_launch(f"--cpu --num_processes $SLURM_NTASKS {self.port_args()}",
                                      script, srun_args="--output=launcher%t.out")),
            args=["--nodes=2", "--ntasks-per-node=2"], env=self.env(), timeout=120)
        seconds = time.monotonic() - started
        self.assertEqual((result.state, result.returncode), ("COMPLETED", 0), result.outputs)
        reports = self.reports(4)
        for rank, report in enumerate(reports):
            where = (rank, report, result.outputs)
            self.assertEqual(report["RANK"], str(rank), where)
            self.assertEqual(report["SLURM_PROCID"], str(rank), where)
            self.assertEqual(report["WORLD_SIZE"], "4", where)
            self.assertEqual(report["LOCAL_RANK"], str(rank % 2), where)
            self.assertEqual(report["LOCAL_WORLD_SIZE"], "2", where)
            self.assertEqual(report["GROUP_RANK"], str(rank // 2), where)
            self.assertEqual(report["SLURMD_NODENAME"], f"n{rank // 2 + 1}", where)
            self.assertEqual(report["MASTER_ADDR"], "n1", where)
            self.assertEqual(report["MASTER_PORT"], reports[0]["MASTER_PORT"], where)
            self.assertEqual(report["GLOO_SOCKET_IFNAME"], self.expected_interface(), where)
            self.assertEqual(report["TORCHELASTIC_RUN_ID"], f"{result.job_id}.0", where)
        # Task 0 says what shape it recognised; the others stay quiet.
        self.assertIn("SLURM started one accel launch per task (4 tasks on 2 nodes)",
                      result.outputs["launcher0.out"])
        for task in (1, 2, 3):
            self.assertNotIn("one accel launch per task", result.outputs[f"launcher{task}.out"])
        self.assert_nothing_left()
        self.say("one launcher per task, world of 4", seconds)

    def worker_failure_on_node_2(self, per_task):
        """Rank 3 (node 2) fails; returns seconds from its failure to the
        job's end, having checked every launcher's root-cause summary."""
        script = self.script(FAIL_ONE)
        processes = "$SLURM_NTASKS" if per_task else "4"
        job_id, directory = self.cluster.sbatch(
            self.job(self.srun_launch(f"--cpu --num_processes {processes} --grace_period 5 "
                                      f"{self.port_args()}", script,
                                      srun_args="--output=launcher%t.out")),
            args=["--nodes=2", f"--ntasks-per-node={2 if per_task else 1}"],
            env=self.env(FAIL_RANK="3"))
        self.wait_for_files(["failing"], job_id)
        failed_at = time.monotonic()
        state, returncode = self.cluster.wait_job(job_id, timeout=60)
        seconds = time.monotonic() - failed_at
        outputs = self.outputs(directory)
        launchers = [f"launcher{task}.out" for task in range(4 if per_task else 2)]
        self.assertEqual(sorted(n for n in outputs if n.startswith("launcher")), launchers)
        # The step's (srun's) exit status is the root cause's.
        self.assertEqual((state, returncode), ("FAILED", 3), outputs)
        self.assertLess(seconds, 15, outputs)
        for name in launchers:
            # The root cause: which rank, on which host, and what it said
            # last, from every launcher. (Both test nodes run on this host,
            # so the host is its name.)
            self.assertIn(f"rank 3 (local rank 1) on {socket.gethostname()} exited with code 3",
                          outputs[name], name)
            self.assertRegex(outputs[name],
                             r"last 1 lines? of its stderr:\n +boom from rank 3 on n2\n", name)
        self.assert_nothing_left()
        return seconds

    def test_worker_failure_on_node_2_ends_the_job_on_both_nodes(self):
        self.say("worker failure on node 2: the job ended after it",
                 self.worker_failure_on_node_2(per_task=False))

    def test_worker_failure_with_one_launcher_per_task_ends_every_task(self):
        self.say("worker failure, one launcher per task: the job ended after it",
                 self.worker_failure_on_node_2(per_task=True))

    def test_usr1_reaches_the_workers_and_scancel_lets_them_save(self):
        script = self.script(SIGNALS)
        job_id, directory = self.cluster.sbatch(
            self.job(self.srun_launch(f"--cpu --num_processes 4 {self.port_args()}", script,
                                      srun_args="--output=launcher%n.out")),
            args=["--nodes=2", "--ntasks-per-node=1"], env=self.env())
        self.wait_for_files([f"started{rank}" for rank in range(4)], job_id)
        self.assertGreaterEqual(len(live_pids_with_marker(self.marker)), 4)
        # A preemption warning (#SBATCH --signal=USR1@120): every worker
        # hears it and carries on.
        self.cluster.scancel(job_id, signal_name="USR1")
        self.wait_for_files([f"usr1-{rank}-1" for rank in range(4)], job_id)
        self.assertEqual(self.cluster.job_state(job_id), "RUNNING")
        # scancel: SIGTERM, and the workers get the time to save (KillWait).
        started = time.monotonic()
        self.assertEqual(self.cluster.scancel(job_id), "CANCELLED")
        self.assert_nothing_left()
        seconds = time.monotonic() - started
        files = os.listdir(self.work)
        self.assertEqual(sorted(n for n in files if n.startswith("saved")),
                         [f"saved{rank}" for rank in range(4)], self.outputs(directory))
        # SLURM signals every process of the step itself, and accel
        # forwards what its launcher gets: a worker may hear USR1 twice
        # (once when the two arrive before its handler runs).
        usr1 = len([n for n in files if n.startswith("usr1-")])
        self.say(f"USR1 heard {usr1} times by 4 workers; scancel: every worker saved and "
                 "gone after it", seconds)

    def wait_for_files(self, names, job_id, timeout=90):
        """Polls until the workers have written every file of `names` in
        the work directory, while the job waits or runs."""
        deadline = time.monotonic() + timeout
        while not all(os.path.exists(os.path.join(self.work, n)) for n in names):
            self.assertLess(time.monotonic(), deadline, f"{names} did not all appear")
            self.assertIn(self.cluster.job_state(job_id), {"PENDING", "RUNNING"})
            time.sleep(0.02)

    def outputs(self, directory):
        texts = {}
        for name in os.listdir(directory):
            if name.endswith(".out"):
                with open(os.path.join(directory, name), errors="replace") as f:
                    texts[name] = f.read()
        return texts


class SlurmLaunch(SlurmLaunchBase, unittest.TestCase):
    def test_job_with_several_tasks_per_node_runs_one_launcher_per_node_as_advised(self):
        # A job that asked for 2 tasks per node: a bare `srun accel launch
        # --num_processes 8` starts 4 launchers, which refuse 8 workers and
        # say how to start one per node; that advice, run as given, works
        # (a bare `srun --ntasks-per-node=1` would be ignored by srun).
        script = self.script(RANK_REPORT)
        launch = f"--cpu --num_processes 8 {self.port_args()}"
        refused = self.srun_launch(launch, script, srun_args="--output=refused%t.out")
        advised = self.srun_launch(launch, script, srun_args="--ntasks=$SLURM_NNODES "
                                   "--ntasks-per-node=1 --output=launcher%n.out")
        result = self.cluster.sbatch_wait(
            self.job(f"{refused}\necho refused with $?\n{advised}"),
            args=["--nodes=2", "--ntasks-per-node=2"], env=self.env(), timeout=90)
        self.assertEqual((result.state, result.returncode), ("COMPLETED", 0), result.outputs)
        self.assertIn("refused with 2", result.output)
        self.assertIn("Either start one accel launch per node (srun --ntasks=2 "
                      "--ntasks-per-node=1) and keep --num_processes 8",
                      result.outputs["refused0.out"])
        reports = self.reports(8)
        self.assertEqual([(r["RANK"], r["LOCAL_RANK"], r["GROUP_RANK"], r["SLURM_NODEID"])
                          for r in reports],
                         [(str(rank), str(rank % 4), str(rank // 4), str(rank // 4))
                          for rank in range(8)], result.outputs)
        self.assertEqual({r["WORLD_SIZE"] for r in reports}, {"8"})
        self.assert_nothing_left()

    def test_launch_in_the_batch_script_itself_runs_on_the_first_node_and_says_so(self):
        script = self.script(RANK_REPORT)
        result = self.cluster.sbatch_wait(
            self.job(f"{ACCEL} launch --python {TEST_PYTHON} --cpu --num_processes 2 "
                     f"{script} {self.work}"),
            args=["--nodes=2", "--ntasks-per-node=1"], env=self.env(), timeout=60)
        self.assertEqual((result.state, result.returncode), ("COMPLETED", 0), result.output)
        self.assertIn("this SLURM job has 2 nodes (SLURM_JOB_NUM_NODES), but accel launch was "
                      "not started by srun, so it runs on this node alone; use `srun --ntasks=2 "
                      "--ntasks-per-node=1 accel launch ...` to use every node", result.output)
        reports = self.reports(2)
        self.assertEqual([(r["RANK"], r["WORLD_SIZE"]) for r in reports], [("0", "2"), ("1", "2")])
        self.assert_nothing_left()

    def test_first_node_name_that_does_not_resolve_fails_naming_it(self):
        # What a cluster whose node names are not in DNS gives. Machine 0
        # says at once that it cannot resolve its own main_process_ip and
        # where the name came from; the joining launcher retries the name
        # until --join_timeout (a name may appear later, as a Kubernetes
        # pod's does), so the timeout is short here; both must stop, nothing
        # may be left, and both must name the name.
        script = self.script(SLEEP)
        started = time.monotonic()
        result = self.cluster.sbatch_wait(
            self.job(self.srun_launch(f"--cpu --num_processes 4 --join_timeout 8 "
                                      f"{self.port_args()}", script,
                                      srun_args="--output=launcher%n.out",
                                      resolve_nodes=False)),
            args=["--nodes=2", "--ntasks-per-node=1"], env=self.env(), timeout=60)
        seconds = time.monotonic() - started
        self.assertEqual((result.state, result.returncode), ("FAILED", 1), result.outputs)
        self.assertLess(seconds, 30, result.outputs)
        self.assertFalse([n for n in os.listdir(self.work) if n.startswith("started")])
        self.assertIn("cannot resolve n1", result.outputs["launcher1.out"])
        self.assertIn("main_process_ip 'n1' (SLURM_STEP_NODELIST) does not resolve on this "
                      "machine", result.outputs["launcher0.out"])
        self.assert_nothing_left()


class SlurmLaunchInNamespaces(SlurmLaunchBase, unittest.TestCase):
    netns_count = 2

    # Machine 0 would route toward what main_process_ip resolves to there
    # (127.0.1.1 -> lo); once the others reached it, the interface they came
    # in on is the one its workers' gloo gets.
    def test_first_node_that_names_itself_127_0_1_1_in_its_hosts_file(self):
        # Debian and Ubuntu put "127.0.1.1 <hostname>" in every machine's
        # /etc/hosts, so on the first node its own name is a loopback
        # address while DNS gives the others its real one. The job must
        # still run, and the workers of machine 0 must not be sent to gloo
        # on the loopback interface.
        missing = torch_missing()
        if missing:
            self.skipTest(f"{TEST_PYTHON} has no torch: {missing}")
        with open("/etc/hosts") as f:
            system_hosts = f.read().rstrip("\n") + "\n"
        for name in self.cluster.node_names:
            with open(os.path.join(self.work, f"hosts.{name}"), "w") as f:
                f.write(system_hosts)
                for other, address in self.cluster.node_addresses.items():
                    f.write(f"{'127.0.1.1' if other == name else address} {other}\n")
        script = self.script(ALL_REDUCE)
        result = self.cluster.sbatch_wait(
            self.job(self.srun_launch(
                "--cpu --num_processes 4", script, srun_args="--output=launcher%n.out",
                hosts_file=os.path.join(self.work, "hosts.$SLURMD_NODENAME"))),
            args=["--nodes=2", "--ntasks-per-node=1", "--time=1"], env=self.env(), timeout=120)
        self.assertEqual((result.state, result.returncode), ("COMPLETED", 0), result.outputs)
        reports = self.reports(4)
        self.assertEqual({r["GLOO_SOCKET_IFNAME"] for r in reports}, {self.net.interface},
                         reports)
        self.assert_nothing_left()


if __name__ == "__main__":
    # A hang prints where every thread was before ctest's TIMEOUT.
    faulthandler.dump_traceback_later(170, exit=True)
    harness.main()
