"""Several `accel launch` processes forming one job on this host, as separate
machines would: each gets its own --machine_rank and they meet through the
rendezvous on 127.0.0.1 (or, inside network namespaces, through
netns.py's addresses). Used by test_launch_machines.py and the SLURM and
namespace tests."""
import os
import signal
import socket
import subprocess
import time

from harness import ACCEL, TEST_PYTHON


def free_port():
    """A TCP port nothing listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Machines:
    """Starts `count` launchers of one job. `args` are the launch flags every
    machine shares; `per_machine(rank)` may add flags for one; `prefix(rank)`
    wraps the command (e.g. nsenter into a namespace). Output of each goes to
    <work>/machine<rank>.{out,err}. Use as a context manager: on exit every
    launcher still running is killed (SIGKILL to its process group)."""

    def __init__(self, work, count, args, script_and_args, env=None, per_machine=None,
                 prefix=None, main_ip="127.0.0.1", port=None):
        self.work = work
        self.count = count
        self.port = port or free_port()
        self.procs = []
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env.setdefault("HF_HOME", os.path.join(work, "hf"))
        for rank in range(count):
            argv = [ACCEL, "launch", "-q", "--python", TEST_PYTHON,
                    "--num_machines", str(count), "--machine_rank", str(rank),
                    "--main_process_ip", main_ip, "--main_process_port", str(self.port)]
            argv += list(args)
            if per_machine:
                argv += list(per_machine(rank))
            argv += list(script_and_args)
            if prefix:
                argv = list(prefix(rank)) + argv
            out = open(os.path.join(work, f"machine{rank}.out"), "w")
            err = open(os.path.join(work, f"machine{rank}.err"), "w")
            self.procs.append(subprocess.Popen(argv, env=full_env, stdout=out, stderr=err,
                                               start_new_session=True))
            out.close()
            err.close()

    def wait(self, timeout=180):
        """Exit codes of every launcher, once all have ended."""
        deadline = time.monotonic() + timeout
        codes = []
        for proc in self.procs:
            codes.append(proc.wait(timeout=max(1, deadline - time.monotonic())))
        return codes

    def output(self, rank):
        with open(os.path.join(self.work, f"machine{rank}.out")) as f:
            out = f.read()
        with open(os.path.join(self.work, f"machine{rank}.err")) as f:
            return out, f.read()

    def kill(self, rank, sig=signal.SIGKILL):
        """Kills launcher `rank` alone (not its workers: the launcher's death
        must stop them)."""
        self.procs[rank].send_signal(sig)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        return False
