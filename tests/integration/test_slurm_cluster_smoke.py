"""The SLURM test cluster (slurm_cluster.py) is a real one: a two-node batch
job sees SLURM's geometry in its environment, scancel leaves no process
behind, the cluster stops cleanly, and with network namespaces each node has
an address of its own."""
import faulthandler
import os
import sys
import time
import unittest
import uuid

import harness
from leftovers import wait_until_gone
import netns
from slurm_cluster import SlurmCluster

# One line per task: what a launcher reads from SLURM's environment.
REPORT = ('echo "node=$SLURM_NODEID nnodes=$SLURM_NNODES list=$SLURM_JOB_NODELIST '
          'proc=$SLURM_PROCID local=$SLURM_LOCALID name=$SLURMD_NODENAME"')


def parse_reports(text):
    """[{field: value}] from REPORT lines, sorted by proc."""
    rows = [dict(f.split("=", 1) for f in line.split()) for line in text.splitlines()
            if line.startswith("node=")]
    return sorted(rows, key=lambda r: int(r["proc"]))


def processes_named(name, marker):
    """Live processes called `name` with `marker` in their environment."""
    found = []
    for pid in harness.live_pids_with_marker(marker):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == name:
                    found.append(pid)
        except OSError:
            pass
    return found


class SlurmClusterSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = SlurmCluster(nodes=2)
        cls.cluster.start()  # SkipTest where it cannot run
        cls.addClassCleanup(cls.cluster.stop)
        print(f"\nSLURM cluster of 2 nodes up in {cls.cluster.start_seconds:.3f} s",
              file=sys.stderr)

    def test_two_nodes_one_task_each(self):
        result = self.cluster.sbatch_wait(f"""
            #!/bin/sh
            srun sh -c '{REPORT}'
            """, args=["--nodes=2", "--ntasks-per-node=1"])
        self.assertEqual(result.returncode, 0, result.output)
        rows = parse_reports(result.output)
        self.assertEqual([r["node"] for r in rows], ["0", "1"], result.output)
        self.assertEqual({r["name"] for r in rows}, {"n1", "n2"})
        for row in rows:
            self.assertEqual(row["nnodes"], "2")
            self.assertEqual(row["list"], "n[1-2]")
            self.assertEqual(row["local"], "0")

    def test_two_tasks_per_node_with_output_per_task(self):
        result = self.cluster.sbatch_wait(f"""
            #!/bin/sh
            srun --output=node%n.task%t.out sh -c '{REPORT}'
            """, args=["--nodes=2", "--ntasks-per-node=2"])
        self.assertEqual(result.returncode, 0, result.outputs)
        self.assertEqual(sorted(k for k in result.outputs if k != "batch.out"),
                         ["node0.task0.out", "node0.task1.out", "node1.task2.out",
                          "node1.task3.out"])
        rows = parse_reports("".join(result.outputs.values()))
        self.assertEqual([(r["proc"], r["node"], r["local"]) for r in rows],
                         [("0", "0", "0"), ("1", "0", "1"), ("2", "1", "0"), ("3", "1", "1")])

    def test_exit_status_comes_back(self):
        result = self.cluster.sbatch_wait("#!/bin/sh\nexit 3\n")
        self.assertEqual((result.state, result.returncode), ("FAILED", 3))

    def test_srun_outside_a_batch_job(self):
        result = self.cluster.srun(["--nodes=2", "sh", "-c", REPORT])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([r["node"] for r in parse_reports(result.stdout)], ["0", "1"])

    def test_scancel_of_a_running_job_leaves_no_process(self):
        marker = f"accel-sleep-{uuid.uuid4().hex}"
        job_id, _ = self.cluster.sbatch("""
            #!/bin/sh
            srun sleep 600
            """, args=["--nodes=2", "--ntasks-per-node=1"], env={"SLEEP_MARKER": marker})
        self.assertEqual(self.cluster.wait_job_state(job_id, "RUNNING", timeout=30), "RUNNING")
        deadline = time.monotonic() + 30
        while len(processes_named("sleep", marker)) < 2:
            self.assertLess(time.monotonic(), deadline, "the two sleeps never started")
            time.sleep(0.02)
        self.assertEqual(self.cluster.scancel(job_id), "CANCELLED")
        self.assertEqual(wait_until_gone(marker, timeout=self.cluster.kill_wait + 10), [])
        self.assertEqual(self.cluster.wait_no_job_processes(timeout=10), [])


class SlurmClusterLifeCycle(unittest.TestCase):
    def test_stop_leaves_nothing_even_with_a_job_running(self):
        cluster = SlurmCluster(nodes=2)
        with cluster:
            directory = cluster.dir
            daemons = [p.pid for p in cluster._daemons.values()]
            job_id, _ = cluster.sbatch("#!/bin/sh\nsrun sleep 600\n", args=["--nodes=2"])
            cluster.wait_job_state(job_id, "RUNNING", timeout=30)
        self.assertEqual(wait_until_gone(directory, timeout=1), [])
        self.assertEqual([p for p in daemons if os.path.exists(f"/proc/{p}")], [])

    def test_nodes_in_network_namespaces_have_their_own_addresses(self):
        with netns.NetNamespaces(2) as net, SlurmCluster(nodes=2, netns=net) as cluster:
            print(f"\nSLURM cluster in namespaces up in {cluster.start_seconds:.3f} s",
                  file=sys.stderr)
            result = cluster.srun(["--nodes=2", "sh", "-c",
                                   "echo $SLURMD_NODENAME $(ip -o -4 addr show eth0)"])
            self.assertEqual(result.returncode, 0, result.stderr)
            seen = {}
            for line in result.stdout.splitlines():
                name, rest = line.split(" ", 1)
                seen[name] = rest.split()[3].split("/")[0]
            self.assertEqual(seen, {"n1": net.addresses[0], "n2": net.addresses[1]})
            self.assertEqual(seen, cluster.node_addresses)


if __name__ == "__main__":
    # A hang prints where every thread was, before ctest's TIMEOUT (120 s)
    # kills the file without a word.
    faulthandler.dump_traceback_later(100, exit=True)
    harness.main()
