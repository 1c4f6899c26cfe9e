"""A real SLURM cluster on this machine for the multi-machine tests: munged,
slurmctld and one slurmd per node (Debian's slurmctld, slurmd,
slurm-client and munge packages), all private to one temporary directory.

    with SlurmCluster(nodes=2) as cluster:
        result = cluster.sbatch_wait("#!/bin/sh\\nsrun hostname\\n", args=["-N2"])
        assert result.returncode == 0, result.output

    class MyTest(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.cluster = SlurmCluster(nodes=2)
            cls.cluster.start()                  # SkipTest where it cannot run
            cls.addClassCleanup(cls.cluster.stop)

Nothing outside the directory is touched: munged runs as the munge user with
its own key, socket, pid and log files there (--key-file, --socket, ...);
slurm.conf points at them (AuthInfo=socket=...) and is found through
SLURM_CONF, which `cluster.env` (the environment for every SLURM command and
job) carries. Nodes are n1..nN, each a slurmd started with `-N n<i>` on a
port of its own; they share this host's hostname. Given `netns=` (a
netns.NetNamespaces with one namespace per node), slurmd n<i> runs inside
namespace i-1 and slurmctld is reached at the namespaces' host address, so
each node has an address of its own, as on real machines.

Every process of the cluster — daemons, job steps, the jobs' own processes —
has ACCEL_SLURM_CLUSTER=<directory> in its environment (jobs inherit it from
`cluster.env` through sbatch/srun's default --export=ALL). stop() cancels the
jobs, stops the daemons by pid (SIGTERM, then SIGKILL) and fails when any such
process is still alive; start() first kills what a killed earlier run left
(ACCEL_SLURM_OWNER names a pid that is gone). The directory goes too, unless
ACCEL_KEEP_SLURM_DIR is set (to read slurm.conf and the daemons' logs in
log/ after a failure; `cluster.log("n1")` gives them to a failing test).

Timing on a 2-core VM: start() takes 0.05-0.1 s (it waits for slurmctld to
listen before anything talks to it: SLURM's clients retry a refused
connection only after a second). srun outside a batch job starts at once
(about 0.15 s); a batch job waits for slurmctld's once-a-second scheduling
pass, so sbatch_wait takes about 1 s (the first job after start() up to
3 s). sbatch_wait polls scontrol rather than using `sbatch --wait`, which
polls every 2 s or more.

Needs root (slurmd runs jobs as their user; munged must be started as munge).
"""
import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
import unittest

from harness import live_pids_with_marker
from leftovers import wait_until_gone

MARKER = "ACCEL_SLURM_CLUSTER"
OWNER = "ACCEL_SLURM_OWNER"
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "sinfo", "scontrol",
            "scancel", "squeue")
FINISHED_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                   "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY"}

# returncode: the batch script's exit status, or -N when a signal N ended it
# (subprocess's convention); outputs: {path relative to the job's directory:
# text} of every file the job wrote there; output: the batch script's own
# output (batch.out) unless the job chose another name.
BatchResult = collections.namedtuple("BatchResult",
                                     "job_id state returncode outputs output directory")


def why_not_available():
    """None where a cluster can be started here, else the reason."""
    if os.geteuid() != 0:
        return "not root (slurmd and munged need to switch users)"
    missing = [p for p in PROGRAMS if shutil.which(p) is None]
    if missing:
        return (f"{', '.join(missing)} not installed "
                "(packaging/install-deps.sh: slurmctld slurmd slurm-client munge)")
    try:
        import pwd
        pwd.getpwnam("munge")
    except KeyError:
        return "no munge user (the munge package makes it)"
    return None


def free_ports(count):
    """`count` distinct TCP ports nobody listens on now. Held open together
    so they differ; another process may still take one before the daemon
    binds it, which the start-up check reports."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _environ_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except OSError:
        return {}


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _kill(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def kill_stale_clusters():
    """Kills the processes of clusters whose owner (the test process that
    started them) is gone, and removes their directories."""
    stale = {}
    for pid in live_pids_with_marker(OWNER + "="):
        env = _environ_of(pid)
        owner = env.get(OWNER.encode())
        if owner and owner.isdigit() and not _pid_alive(int(owner)):
            stale.setdefault(env.get(MARKER.encode(), b"").decode(), []).append(pid)
    for directory, pids in stale.items():
        _kill(pids, signal.SIGKILL)
        if directory:
            wait_until_gone(directory, timeout=5)
            if os.path.basename(directory).startswith("accel-slurm-"):
                shutil.rmtree(directory, ignore_errors=True)


class SlurmCluster:
    """A SLURM cluster of `nodes` nodes, each with `cpus_per_node` CPUs.

    cpus_per_node is what slurm.conf says, not what the machine has
    (SlurmdParameters=config_overrides): tests may ask for more tasks than
    there are cores. kill_wait is SLURM's KillWait, the seconds between
    SIGTERM and SIGKILL when a job is cancelled or runs out of time."""

    def __init__(self, nodes=2, cpus_per_node=4, netns=None, kill_wait=5, start_timeout=30):
        if netns is not None and netns.count < nodes:
            raise ValueError(f"SlurmCluster: {nodes} nodes need {nodes} namespaces, "
                             f"netns has {netns.count}")
        self.node_count = nodes
        self.cpus_per_node = cpus_per_node
        self.netns = netns
        self.kill_wait = kill_wait
        self.start_timeout = start_timeout
        self.node_names = [f"n{i + 1}" for i in range(nodes)]
        self.dir = None
        self.conf = None
        self.env = None
        # The address slurmctld reaches each node at ("n1": "127.0.0.1", or
        # the node's namespace address with netns=).
        self.node_addresses = {}
        self.start_seconds = None  # from munged's start to all nodes idle
        self._daemons = {}         # name -> Popen
        self._jobs_submitted = 0

    # -- life cycle -------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        why = why_not_available()
        if why:
            raise unittest.SkipTest(f"SLURM cluster: {why}")
        kill_stale_clusters()
        self.dir = tempfile.mkdtemp(prefix="accel-slurm-")
        os.chmod(self.dir, 0o755)  # munged (user munge) must reach its socket
        for sub in ("state", "log", "spool", "jobs"):
            os.makedirs(os.path.join(self.dir, sub))
        for name in self.node_names:
            os.makedirs(os.path.join(self.dir, "spool", name))
        self.conf = os.path.join(self.dir, "slurm.conf")
        # The caller's own SLURM job (if any) must not leak into this one.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SLURM_", "SBATCH_", "SRUN_"))}
        self.env.update({"SLURM_CONF": self.conf, MARKER: self.dir, OWNER: str(os.getpid())})
        started = time.monotonic()
        try:
            self._start_munged()
            self._write_conf()
            self._start_slurm_daemons()
            self._wait_for_idle_nodes()
        except BaseException:
            self.stop(check=False)
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def stop(self, check=True):
        """Cancels every job, stops the daemons and removes the directory.
        Raises RuntimeError (after killing them) when processes of this
        cluster outlived the daemons, unless check=False."""
        if self.dir is None:
            return
        try:
            if "slurmctld" in self._daemons and self._daemons["slurmctld"].poll() is None:
                self._cancel_all_jobs()
            # Nodes first, so no slurmd retries a controller that is gone.
            order = [n for n in self._daemons if n not in ("slurmctld", "munged")]
            order += [n for n in ("slurmctld", "munged") if n in self._daemons]
            for name in order:
                self._stop_daemon(self._daemons[name])
            left = wait_until_gone(self.dir, timeout=5)
            if left:
                described = [self._describe(pid) for pid in left]
                _kill(left, signal.SIGKILL)
                still = wait_until_gone(self.dir, timeout=5)
                if check:
                    raise RuntimeError("SlurmCluster.stop: processes outlived the cluster "
                                       f"and were killed: {described}"
                                       + (f"; still alive: {still}" if still else ""))
        finally:
            self._daemons = {}
            if os.environ.get("ACCEL_KEEP_SLURM_DIR"):
                print(f"SlurmCluster: kept {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # -- commands and jobs ------------------------------------------------

    def run(self, argv, timeout=60, env=None, **kwargs):
        """Runs a SLURM client command (sinfo, scontrol, srun ...) against this
        cluster to completion; returns the CompletedProcess (text output)."""
        kwargs.setdefault("capture_output", True)
        return subprocess.run(argv, env=self._env_with(env), timeout=timeout, text=True,
                              **kwargs)

    def srun(self, args, timeout=60, env=None):
        """`srun ARGS...` from this process (outside any allocation)."""
        return self.run(["srun", *args], timeout=timeout, env=env)

    def sbatch(self, script_text, args=(), env=None):
        """Submits `script_text` as a batch job; returns (job_id, directory).
        The job runs in `directory` (its own, under the cluster's), where its
        output goes: batch.out unless `args` name another --output (relative
        names land in the directory too; %j, %N, %t work as in SLURM)."""
        self._jobs_submitted += 1
        directory = os.path.join(self.dir, "jobs", str(self._jobs_submitted))
        os.makedirs(directory)
        script = os.path.join(directory, "job.sh")
        with open(script, "w") as f:
            f.write(textwrap.dedent(script_text).lstrip())
        argv = ["sbatch", "--parsable", f"--chdir={directory}"]
        if not any(a.startswith(("-o", "--output")) for a in args):
            argv.append("--output=batch.out")
        result = self.run(argv + list(args) + [script], env=env)
        if result.returncode != 0:
            raise RuntimeError(f"sbatch {' '.join(args)} failed ({result.returncode}): "
                               f"{result.stderr.strip()}")
        return int(result.stdout.strip().split(";")[0]), directory

    def sbatch_wait(self, script_text, args=(), env=None, timeout=120):
        """Submits a batch job and waits until it ends (polling scontrol: fast,
        where `sbatch --wait` polls every 2 s or more); returns a BatchResult.
        On timeout the job is cancelled and TimeoutError raised."""
        job_id, directory = self.sbatch(script_text, args, env)
        state, returncode = self.wait_job(job_id, timeout)
        outputs = {}
        for root, _, files in os.walk(directory):
            for name in files:
                path = os.path.join(root, name)
                relative = os.path.relpath(path, directory)
                if relative != "job.sh":
                    with open(path, errors="replace") as f:
                        outputs[relative] = f.read()
        return BatchResult(job_id, state, returncode, outputs, outputs.get("batch.out", ""),
                           directory)

    def job_info(self, job_id):
        """scontrol's fields of the job as a dict, or None when it is unknown."""
        result = self.run(["scontrol", "show", "job", "-o", str(job_id)])
        if result.returncode != 0:
            return None
        return dict(re.findall(r"(\w+)=(\S*)", result.stdout))

    def job_state(self, job_id):
        """"PENDING", "RUNNING", "COMPLETED", ... or None when unknown."""
        info = self.job_info(job_id)
        return info.get("JobState") if info else None

    def wait_job_state(self, job_id, states, timeout=60):
        """Polls until the job is in one of `states` (or has ended); returns
        the state. Raises TimeoutError otherwise."""
        states = {states} if isinstance(states, str) else set(states)
        deadline = time.monotonic() + timeout
        while True:
            state = self.job_state(job_id)
            if state in states or state in FINISHED_STATES:
                return state
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {state} after {timeout} s, "
                                   f"not {sorted(states)}")
            time.sleep(0.02)

    def wait_job(self, job_id, timeout=120):
        """Polls until the job has ended; returns (state, returncode) where
        returncode is the script's exit status or -signal. On timeout the job
        is cancelled and TimeoutError raised."""
        try:
            state = self.wait_job_state(job_id, FINISHED_STATES, timeout)
        except TimeoutError:
            self.scancel(job_id)
            raise
        # ExitCode=<status>:<signal>; the state is final before it is set
        # only for a moment, so read both from one record.
        info = self.job_info(job_id)
        status, sig = (int(x) for x in info["ExitCode"].split(":"))
        return info["JobState"], (-sig if sig else status)

    def scancel(self, job_id, signal_name=None, wait=True, timeout=None):
        """Cancels a job (or sends it `signal_name`, e.g. "USR1", without
        cancelling). With wait, polls until a cancelled job has ended
        (timeout: KillWait plus a margin) and returns its state."""
        argv = ["scancel"]
        if signal_name:
            argv.append(f"--signal={signal_name}")
        result = self.run(argv + [str(job_id)])
        if result.returncode != 0:
            raise RuntimeError(f"scancel {job_id} failed: {result.stderr.strip()}")
        if wait and not signal_name:
            return self.wait_job_state(job_id, FINISHED_STATES,
                                       timeout or self.kill_wait + 30)
        return None

    def jobs(self):
        """Ids of the jobs the controller still lists as pending or running."""
        result = self.run(["squeue", "-h", "-o", "%i"])
        return [int(x) for x in result.stdout.split()]

    def job_pids(self):
        """Live processes of this cluster that are not its daemons (nor
        slurmctld's helper slurmscriptd): job steps (slurmstepd) and what the
        jobs run."""
        daemons = {p.pid for p in self._daemons.values()}
        return [p for p in live_pids_with_marker(self.dir)
                if p not in daemons and _parent(p) not in daemons and p != os.getpid()]

    def wait_no_job_processes(self, timeout=10):
        """Polls until no job process (see job_pids) is left or `timeout`
        seconds pass; returns descriptions ("pid command line") of those
        still alive. A cancelled job's slurmstepd may outlive the moment
        its job shows as CANCELLED by a few milliseconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.job_pids()
            if not left or time.monotonic() >= deadline:
                return [self._describe(pid) for pid in left]
            time.sleep(0.02)

    def log(self, name):
        """A daemon's log file and what it wrote to stdout and stderr: name is
        "slurmctld", "munged" or a node ("n1"); for failure messages."""
        text = ""
        for candidate in (f"{name}.log", f"slurmd-{name}.log", f"{name}.out"):
            path = os.path.join(self.dir, "log", candidate)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return text

    # -- internals --------------------------------------------------------

    def _env_with(self, extra):
        if not extra:
            return self.env
        env = dict(self.env)
        env.update(extra)
        return env

    def _describe(self, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            cmdline = "?"
        return f"{pid} {cmdline}"

    def _stop_daemon(self, process, timeout=10):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
                return
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait()

    def _cancel_all_jobs(self):
        jobs = self.jobs()
        if not jobs:
            return
        self.run(["scancel", *map(str, jobs)])
        deadline = time.monotonic() + self.kill_wait + 15
        while self.jobs() and time.monotonic() < deadline:
            time.sleep(0.05)

    def _popen(self, name, argv, **kwargs):
        out = open(os.path.join(self.dir, "log", f"{name}.out"), "w")
        try:
            process = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       **kwargs)
        finally:
            out.close()
        self._daemons[name] = process
        return process

    def _start_munged(self):
        munge_dir = os.path.join(self.dir, "munge")
        os.makedirs(munge_dir)
        key = os.path.join(munge_dir, "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(128))
        os.chmod(key, 0o400)
        # munged insists: the key readable by its user only, and the socket's
        # directory searchable by everyone (0755).
        shutil.chown(munge_dir, "munge", "munge")
        shutil.chown(key, "munge", "munge")
        os.chmod(munge_dir, 0o755)
        self.munge_socket = os.path.join(munge_dir, "munge.socket")
        self._popen("munged", ["munged", "--foreground", f"--key-file={key}",
                               f"--socket={self.munge_socket}",
                               f"--pid-file={munge_dir}/munged.pid",
                               f"--seed-file={munge_dir}/munged.seed",
                               f"--log-file={self.dir}/log/munged.log"],
                    user="munge", group="munge", extra_groups=[])
        self._poll(lambda: os.path.exists(self.munge_socket), "munged to create its socket",
                   "munged")

    def _write_conf(self):
        ports = free_ports(1 + self.node_count)
        self.slurmctld_port = ports[0]
        self.node_ports = ports[1:]
        host = socket.gethostname()
        controller = f"localhost({self.netns.host_address})" if self.netns else "localhost"
        d = self.dir
        lines = [
            "ClusterName=accel-test",
            f"SlurmctldHost={controller}",
            f"SlurmctldPort={self.slurmctld_port}",
            f"SlurmdPort={self.node_ports[0]}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            f"StateSaveLocation={d}/state",
            f"SlurmdSpoolDir={d}/spool/%n",
            f"SlurmctldPidFile={d}/slurmctld.pid",
            f"SlurmdPidFile={d}/spool/%n/slurmd.pid",
            f"SlurmctldLogFile={d}/log/slurmctld.log",
            f"SlurmdLogFile={d}/log/slurmd-%n.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "MpiDefault=none",
            "MailProg=/bin/true",
            "ReturnToService=2",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "SchedulerType=sched/builtin",
            # Batch jobs start at once, not at the next pass up to 3 s later.
            "SchedulerParameters=batch_sched_delay=0",
            "SlurmdParameters=config_overrides",
            f"KillWait={self.kill_wait}",
        ]
        for i, name in enumerate(self.node_names):
            address = self.netns.addresses[i] if self.netns else "127.0.0.1"
            self.node_addresses[name] = address
            lines.append(f"NodeName={name} NodeHostname={host} NodeAddr={address} "
                         f"Port={self.node_ports[i]} CPUs={self.cpus_per_node} State=UNKNOWN")
        lines.append("PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _start_slurm_daemons(self):
        self._popen("slurmctld", ["slurmctld", "-D", "-i", "-f", self.conf])
        # SLURM's clients and slurmd's registration retry a controller that
        # refuses the connection only after a second: wait until it listens.
        self._poll(lambda: _listening(self.slurmctld_port), "slurmctld to listen", "slurmctld")
        for i, name in enumerate(self.node_names):
            argv = ["slurmd", "-D", "-N", name, "-f", self.conf]
            if self.netns:
                argv = self.netns.command(i, argv)
            self._popen(name, argv)

    def _wait_for_idle_nodes(self):
        def all_idle():
            result = self.run(["sinfo", "-h", "-N", "-o", "%N %T"], timeout=10)
            states = dict(line.split() for line in result.stdout.splitlines() if line.strip())
            return all(states.get(n) == "idle" for n in self.node_names)
        self._poll(all_idle, "every node to be idle", "slurmctld", *self.node_names)

    def _poll(self, ready, what, *logs):
        deadline = time.monotonic() + self.start_timeout
        while not ready():
            dead = [n for n, p in self._daemons.items() if p.poll() is not None]
            if dead or time.monotonic() >= deadline:
                why = f"{', '.join(dead)} exited" if dead else f"{self.start_timeout} s passed"
                tails = "".join(f"\n--- {n} ---\n" + "\n".join(self.log(n).splitlines()[-15:])
                                for n in dict.fromkeys(list(logs) + dead))
                raise RuntimeError(f"SlurmCluster: waiting for {what}: {why}{tails}")
            time.sleep(0.01)
