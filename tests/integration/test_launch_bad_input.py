"""Every input `accel launch` refuses: exit 2, one message naming the flag or
file, and nothing started (the script would leave a marker file)."""
import os
import unittest

import harness
from harness import TEST_PYTHON, run_accel, temp_dir

MARKER_SCRIPT = "import os, sys\nopen(os.path.join(os.path.dirname(__file__), 'STARTED'), 'w').close()\n"


class LaunchBadInput(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.script = os.path.join(self.work, "train.py")
        with open(self.script, "w") as f:
            f.write(MARKER_SCRIPT)

    def config(self, text):
        path = os.path.join(self.work, "config.yaml")
        with open(path, "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\nmachine_rank: 0\nnum_machines: 1\n" + text)
        return path

    def refuse(self, args, message, script=None, preexec_fn=None):
        r = run_accel(["launch", "--python", TEST_PYTHON] + args + [script or self.script],
                      env={"HF_HOME": os.path.join(self.work, "hf"), "CUDA_VISIBLE_DEVICES": ""},
                      cwd=self.work, preexec_fn=preexec_fn)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(message, r.stderr)
        self.assertTrue(r.stderr.startswith("accel: error: "), r.stderr)
        self.assertNotIn("had defaults used instead", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "STARTED")), "the script was started")

    def test_multi_gpu_with_one_process(self):
        self.refuse(["--multi_gpu", "--num_processes", "1"],
                    "--multi_gpu needs at least 2 processes, but --num_processes is 1")

    def test_cpu_with_multi_gpu(self):
        self.refuse(["--cpu", "--multi-gpu"], "only one of --cpu, --multi_gpu, --tpu, --use_deepspeed, --use_fsdp")

    def test_gpu_id_not_visible(self):
        self.refuse(["--multi_gpu", "--num_processes", "2", "--gpu_ids", "0,1"],
                    "--gpu_ids: GPU 0 does not exist (this machine has no GPU)")

    def test_gpu_ids_not_numbers(self):
        self.refuse(["--gpu_ids", "0,first"], "--gpu_ids: '0,first': 'first' is not a GPU id")

    def test_missing_script(self):
        missing = os.path.join(self.work, "nope.py")
        self.refuse([], f"script {missing} cannot be opened: No such file or directory", script=missing)

    def test_script_not_executable(self):
        program = os.path.join(self.work, "run.sh")
        with open(program, "w") as f:
            f.write("#!/bin/sh\ntouch STARTED\n")
        self.refuse([], f"{program} is not an executable file", script=program)
        self.refuse(["--no_python"], f"{self.script} is not an executable file")

    def test_python_not_found(self):
        self.refuse(["--python", "/nonexistent/python3"], "--python /nonexistent/python3: No such file or directory")

    def test_machine_rank_not_below_the_machine_count(self):
        # Both used to start workers that waited forever for ranks that never come.
        self.refuse(["--cpu", "--num_processes", "2", "--machine_rank", "1"],
                    "--machine_rank is 1, but the job has 1 machine (the default): the only machine "
                    "rank is 0")
        self.refuse(["--cpu", "--nproc_per_node", "2", "--node_rank", "5", "--nnodes", "1"],
                    "--machine_rank is 5, but the job has 1 machine (--num_machines)")
        path = self.config("distributed_type: MULTI_CPU\nuse_cpu: true\nnum_processes: 2\n")
        self.refuse(["--config_file", path, "--machine_rank", "3"],
                    f"--machine_rank is 3, but the job has 1 machine (num_machines in {path})")

    def test_numbers_out_of_range(self):
        for args, message in [
            (["--grace_period", "1e18"], "--grace_period 1e+18 is out of range; give the seconds "
                                         "workers get to exit after SIGTERM, from 0 to 86400"),
            (["--grace_period", "-5"], "--grace_period -5 is out of range"),
            (["--grace_period", "nan"], "--grace_period nan is out of range"),
            (["--max_restarts", "-1"], "--max_restarts -1 is out of range"),
            (["--num_cpu_threads_per_process", "0"], "--num_cpu_threads_per_process 0 is out of range"),
            (["--nnodes", "1:4"], "--nnodes 1:4: elastic ranges of machines are not supported"),
            (["--nproc_per_node", "many"], "--nproc_per_node 'many' is not a number of processes"),
        ]:
            with self.subTest(args=args):
                self.refuse(["--cpu"] + args, message)
                self.assertLess(len(message), 200)

    def test_more_workers_than_the_limits_allow(self):
        import resource

        def few_files():
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

        # Used to fail after starting hundreds of workers with "pipe2: Too many
        # open files" and a misleading SIGKILL summary.
        self.refuse(["--cpu", "--num_processes", "10000"],
                    "--num_processes asks for 10000 workers on this machine, which needs about",
                    preexec_fn=few_files)
        self.refuse(["--cpu", "--num_processes", "10000"], "(ulimit -n); the hard limit is 1024",
                    preexec_fn=few_files)

    def test_megatron_and_other_accelerators(self):
        self.refuse(["--config_file", self.config("distributed_type: MEGATRON_LM\nnum_processes: 2\n")],
                    "Megatron-LM jobs (--use_megatron_lm or distributed_type MEGATRON_LM) cannot be launched by accel")
        path = self.config("distributed_type: MULTI_NPU\nnum_processes: 2\n")
        self.refuse(["--config_file", path], f"distributed_type MULTI_NPU in {path} cannot be launched by accel")
        self.refuse(["--use_megatron_lm"], "Megatron-LM jobs")
        self.refuse(["--tpu"], "TPU jobs")

    def test_config_file_with_errors(self):
        path = self.config("distributed_type: MULTI_CPU\nnum_processes: many\n")
        self.refuse(["--config_file", path], f"the config file {path} cannot be used:\n{path}:")

    def test_config_file_missing(self):
        path = os.path.join(self.work, "missing.yaml")
        self.refuse(["--config_file", path], f"the config file {path} cannot be used")

    def test_config_requires_num_processes(self):
        path = self.config("distributed_type: MULTI_CPU\nuse_cpu: true\nnum_processes: -1\n")
        self.refuse(["--config_file", path],
                    f"{path} sets num_processes to -1, which means it must be given at launch: pass --num_processes N")

    def test_several_machines(self):
        self.refuse(["--cpu", "--num_machines", "2", "--num_processes", "4"],
                    "when using multiple machines, you need to specify the main process IP: "
                    "--num_machines is 2, but no --main_process_ip")
        self.refuse(["--cpu", "--num_machines", "2", "--num_processes", "3",
                     "--main_process_ip", "10.0.0.1"],
                    "--num_processes is 3, which does not divide evenly over the 2 machines")
        self.refuse(["--cpu", "--machine_rank", "", "--num_processes", "2"],
                    "--machine_rank: the value is empty")

    def test_unknown_option_and_bad_values(self):
        self.refuse(["--num_procs", "2"], "unknown option --num_procs for accel launch")
        self.refuse(["--zero_stage", "two"], "--zero_stage: 'two' is not an integer")
        self.refuse(["--mixed_precision", "fp4"], "--mixed_precision")
        self.refuse(["--module", "--no_python"], "--module and --no_python cannot be used together")

    def test_no_script(self):
        r = run_accel(["launch", "--cpu"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("accel launch needs a script to run", r.stderr)


if __name__ == "__main__":
    harness.main()
