"""The worker environment through the real binary, for the CPU launch paths:
each rank dumps os.environ as JSON and the test checks it variable by
variable against what `accelerate launch` 1.15 sets (plus torchrun's rank
variables, which accel adds for every worker)."""
import json
import os
import unittest

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
        r, dumps = self.launch(["--config_file", config])
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

    def test_taken_port_is_replaced(self):
        import socket
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.bind(("0.0.0.0", 0))
        holder.listen(1)
        self.addCleanup(holder.close)
        taken = holder.getsockname()[1]
        r, dumps = self.launch(["--cpu", "--num_processes", "2", "--main_process_port", str(taken)])
        port = dumps["0"]["env"]["MASTER_PORT"]
        self.assertNotEqual(port, str(taken))
        self.assertIn(f"port {taken} is already in use; using free port {port}", r.stderr)


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
    unittest.main()
