"""The worker environment through the real binary, for the CPU launch paths:
each rank dumps os.environ as JSON and the test checks it variable by
variable against what `accelerate launch` 1.15 sets (plus torchrun's rank
variables, which accel adds for every worker)."""
import json
import os
import unittest

import harness
from harness import TEST_PYTHON, run_accel, temp_dir

DUMP_SCRIPT = """
import json, os, sys
out = os.path.join(sys.argv[1], "rank%s.json" % os.environ.get("RANK", "none"))
with open(out, "w") as f:
    json.dump({"env": dict(os.environ), "argv": sys.argv[2:]}, f)
"""

DYNAMO_OFF = {
    "ACCELERATE_DYNAMO_BACKEND": "NO",
    "ACCELERATE_DYNAMO_MODE": "default",
    "ACCELERATE_DYNAMO_USE_FULLGRAPH": "False",
    "ACCELERATE_DYNAMO_USE_DYNAMIC": "False",
    "ACCELERATE_DYNAMO_USE_REGIONAL_COMPILATION": "False",
}


class LaunchEnv(unittest.TestCase):
    def launch(self, flags, script_args=(), env=None):
        work = temp_dir(self)
        script = os.path.join(work, "dump.py")
        with open(script, "w") as f:
            f.write(DUMP_SCRIPT)
        out = os.path.join(work, "out")
        os.mkdir(out)
        full_env = {"HF_HOME": os.path.join(work, "hf")}  # no default config file
        full_env.update(env or {})
        for name in ("OMP_NUM_THREADS", "PYTHONUNBUFFERED", "CUDA_VISIBLE_DEVICES"):
            os.environ.pop(name, None)
        r = run_accel(["launch", "--python", TEST_PYTHON] + flags + [script, out] + list(script_args),
                      env=full_env, cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        dumps = {}
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name)) as f:
                dumps[name[len("rank"):-len(".json")]] = json.load(f)
        return r, dumps

    def assert_vars(self, env, expected):
        for name, value in expected.items():
            with self.subTest(variable=name):
                if value is None:
                    self.assertNotIn(name, env)
                else:
                    self.assertEqual(env.get(name), value)

    def test_no_distributed_type_one_process(self):
        r, dumps = self.launch([])
        self.assertEqual(list(dumps), ["0"])
        env = dumps["0"]["env"]
        self.assert_vars(env, dict(DYNAMO_OFF, **{
            "ACCELERATE_USE_CPU": "False", "ACCELERATE_MIXED_PRECISION": "no", "OMP_NUM_THREADS": "1",
            "PYTHONUNBUFFERED": "1", "RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1",
            "LOCAL_WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1", "ACCELERATE_DEBUG_MODE": None,
            "KMP_AFFINITY": None, "TORCHELASTIC_USE_AGENT_STORE": None}))
        self.assertIn("had defaults used instead", r.stderr)
        self.assertIn("`--num_processes` was set to a value of `1`", r.stderr)

    def test_cpu_multi_process(self):
        r, dumps = self.launch(["--cpu", "--num_processes", "3", "--main_process_port", "0"])
        self.assertEqual(sorted(dumps), ["0", "1", "2"])
        ports = {d["env"]["MASTER_PORT"] for d in dumps.values()}
        self.assertEqual(len(ports), 1)
        self.assertNotEqual(ports, {"0"})
        run_ids = {d["env"]["TORCHELASTIC_RUN_ID"] for d in dumps.values()}
        self.assertEqual(len(run_ids), 1)
        for rank, dump in dumps.items():
            self.assert_vars(dump["env"], dict(DYNAMO_OFF, **{
                "ACCELERATE_USE_CPU": "True", "ACCELERATE_MIXED_PRECISION": "no",
                "KMP_AFFINITY": "granularity=fine,compact,1,0", "KMP_BLOCKTIME": "1",
                "OMP_NUM_THREADS": str(max(physical_cores() // 3, 1)), "PYTHONUNBUFFERED": "1",
                "RANK": rank, "LOCAL_RANK": rank, "WORLD_SIZE": "3", "LOCAL_WORLD_SIZE": "3",
                "GROUP_RANK": "0", "GROUP_WORLD_SIZE": "1", "ROLE_RANK": rank, "ROLE_NAME": "default",
                "ROLE_WORLD_SIZE": "3", "MASTER_ADDR": "127.0.0.1", "TORCHELASTIC_RESTART_COUNT": "0",
                "TORCHELASTIC_MAX_RESTARTS": "0", "TORCH_NCCL_ASYNC_ERROR_HANDLING": "1"}))

    def test_mixed_precision_dynamo_debug_gpu_ids_threads(self):
        _, dumps = self.launch(["--cpu", "--mixed_precision", "bf16", "--dynamo_backend", "inductor",
                                "--dynamo-use-fullgraph", "--debug", "--gpu_ids", "1",
                                "--num_cpu_threads_per_process", "3", "-q"])
        self.assert_vars(dumps["0"]["env"], {
            "ACCELERATE_MIXED_PRECISION": "bf16", "ACCELERATE_DYNAMO_BACKEND": "INDUCTOR",
            "ACCELERATE_DYNAMO_USE_FULLGRAPH": "True", "ACCELERATE_DEBUG_MODE": "true",
            "CUDA_VISIBLE_DEVICES": "1", "OMP_NUM_THREADS": "3"})

    def test_launcher_values_are_kept(self):
        _, dumps = self.launch(["--cpu", "--num_processes", "2"],
                               env={"OMP_NUM_THREADS": "5", "PYTHONUNBUFFERED": "0", "MY_VAR": "x y"})
        for dump in dumps.values():
            self.assert_vars(dump["env"], {"OMP_NUM_THREADS": "5", "PYTHONUNBUFFERED": "0", "MY_VAR": "x y"})

    def test_multi_cpu_config_file(self):
        work = temp_dir(self)
        config = os.path.join(work, "multi_cpu.yaml")
        with open(config, "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\nuse_cpu: true\n"
                    "num_processes: 2\nmachine_rank: 0\nnum_machines: 1\nmixed_precision: bf16\n"
                    "main_training_function: main\n")
        # OMP_NUM_THREADS given: otherwise, on a machine with more than 2
        # physical cores, Accelerate's notice about num_cpu_threads_per_process
        # is due (and accel prints it too).
        r, dumps = self.launch(["--config_file", config], env={"OMP_NUM_THREADS": "1"})
        self.assertNotIn("had defaults used instead", r.stderr)
        self.assertEqual(sorted(dumps), ["0", "1"])
        self.assert_vars(dumps["1"]["env"], {"ACCELERATE_USE_CPU": "True", "ACCELERATE_MIXED_PRECISION": "bf16",
                                             "WORLD_SIZE": "2", "RANK": "1"})

    def test_script_arguments_verbatim(self):
        _, dumps = self.launch(["--cpu"], script_args=["--help", "--num_processes", "7", "a b", ""])
        self.assertEqual(dumps["0"]["argv"], ["--help", "--num_processes", "7", "a b", ""])

    def test_double_dash_before_the_script_is_argparse_s(self):
        # `accel launch --cpu -- script.py ...` as with argparse; a later `--`
        # belongs to the script.
        _, dumps = self.launch(["--cpu", "--"], script_args=["--", "-x"])
        self.assertEqual(dumps["0"]["argv"], ["--", "-x"])

    def test_unquoted_no_in_the_config_runs_with_a_warning(self):
        # As Accelerate's own tutorials write it: YAML reads NO as false.
        config = os.path.join(temp_dir(self), "tutorial.yaml")
        with open(config, "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\ndistributed_type: NO\nmixed_precision: no\n"
                    "num_processes: 1\nuse_cpu: true\n")
        r, dumps = self.launch(["--config_file", config])
        self.assertEqual(list(dumps), ["0"])
        self.assertEqual(dumps["0"]["env"]["ACCELERATE_MIXED_PRECISION"], "no")
        self.assertIn(f"{config}:2:19: warning: distributed_type: NO without quotes", r.stderr)
        self.assertIn(f"{config}:3:18: warning: mixed_precision:", r.stderr)

    def test_flags_of_accelerate_and_torchrun_that_do_not_apply(self):
        r, dumps = self.launch(["--cpu", "--standalone", "--nproc_per_node", "2", "--start_method",
                                "spawn", "--main_training_function", "main", "--downcast_bf16",
                                "--tpu_use_sudo", "--mpirun_hostfile", "hosts", "--aws_access_key_id",
                                "key"])
        self.assertEqual(sorted(dumps), ["0", "1"])
        self.assertNotEqual(dumps["0"]["env"]["MASTER_PORT"], "29500")  # --standalone: a free port
        self.assertIn("accel launch: --tpu_use_sudo ignored: TPU pods are launched by", r.stderr)
        self.assertIn("accel launch: --mpirun_hostfile ignored:", r.stderr)
        self.assertIn("accel launch: --aws_access_key_id ignored:", r.stderr)
        for accepted in ("--main_training_function", "--downcast_bf16", "--start_method",
                         "--standalone"):
            self.assertNotIn(accepted, r.stderr)
        self.assertNotIn("TORCHELASTIC_SIGNALS_TO_HANDLE", dumps["0"]["env"])  # not a torchrun path

    def test_taken_default_port_is_replaced(self):
        holder = hold_port(29500)
        r, dumps = self.launch(["--cpu", "--num_processes", "2"])
        holder.close()
        port = dumps["0"]["env"]["MASTER_PORT"]
        self.assertNotEqual(port, "29500")
        self.assertIn(f"the default port 29500 is already in use (by python3 (pid {os.getpid()})); "
                      f"using free port {port} for MASTER_PORT instead", r.stderr)

    def test_taken_port_that_was_asked_for_is_an_error(self):
        holder = hold_port(0)
        self.addCleanup(holder.close)
        taken = holder.getsockname()[1]
        work = temp_dir(self)
        script = os.path.join(work, "never.py")
        with open(script, "w") as f:
            f.write("raise SystemExit('started')\n")
        r = run_accel(["launch", "--python", TEST_PYTHON, "--cpu", "--num_processes", "2",
                       "--main_process_port", str(taken), script],
                      env={"HF_HOME": os.path.join(work, "hf")}, cwd=work)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr,
                         f"accel: error: --main_process_port {taken}: the port is already in use "
                         f"(by python3 (pid {os.getpid()})); stop what holds it, choose another "
                         "port, or pass --main_process_port 0 for a free one\n")


def hold_port(port, timeout=60):
    """A socket listening on `port` (0: any). Other tests may hold the port
    for a moment (29500 is every job's default), so wait for it to be free.
    SO_REUSEADDR as the launcher's own store sets it: the connections of a
    job that just ended sit in TIME_WAIT on 29500 for a minute, and without
    it bind() fails on them although nothing listens there."""
    import socket
    import time
    deadline = time.monotonic() + timeout
    while True:
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind(("0.0.0.0", port))
            holder.listen(1)
            return holder
        except OSError:
            holder.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def physical_cores():
    cores = set()
    base = "/sys/devices/system/cpu"
    for name in os.listdir(base):
        if name.startswith("cpu") and name[3:].isdigit():
            for f in ("topology/core_cpus_list", "topology/thread_siblings_list"):
                try:
                    with open(os.path.join(base, name, f)) as fh:
                        cores.add(fh.read().strip())
                    break
                except OSError:
                    continue
    return len(cores) or os.cpu_count()


if __name__ == "__main__":
    harness.main()
