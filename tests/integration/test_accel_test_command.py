"""`accel test` through the real launcher: accel runs itself as the test
worker (environment, store, barriers, main_process_first, every collective x
type x op against known results, 64 MiB included) at world sizes 1, 2, 3, 4
and 8 (oversubscribed on a small machine) and on two launchers on loopback
(the hierarchical path: shared memory within a machine, TCP between), takes
the config file's num_processes, and names the rank and the check that
failed."""
import os
import subprocess
import unittest

import harness
from harness import ACCEL, run_accel, temp_dir
from machines import free_port

SUCCESS = "Test is a success!"


class AccelTest(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        # No default config file; the scratch reports go to a directory we can see.
        self.tmp = os.path.join(self.work, "tmp")
        os.mkdir(self.tmp)
        self.env = {"HF_HOME": os.path.join(self.work, "hf"), "TMPDIR": self.tmp,
                    "ACCEL_RUNTIME_TIMEOUT": "120"}

    def accel_test(self, *args, env=None, timeout=600):
        return run_accel(["test", *args], env=dict(self.env, **(env or {})), cwd=self.work,
                         timeout=timeout)

    def assert_success(self, r, processes):
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        self.assertIn(SUCCESS, r.stdout, out)
        noun = "process" if processes == 1 else "processes"
        self.assertIn(f"accel test: {processes} {noun} passed every check", r.stdout, out)
        self.assertEqual(os.listdir(self.tmp), [], "the reports directory is left behind")

    def test_world_sizes(self):
        for n in (1, 2, 3, 4, 8):
            with self.subTest(num_processes=n):
                self.assert_success(self.accel_test("--num_processes", str(n)), n)

    def test_two_machines_on_loopback(self):
        port = str(free_port())
        env = dict(os.environ, **self.env, ACCEL_RDZV_TOKEN="accel-test-two-machines")
        procs = [subprocess.Popen([ACCEL, "test", "--num_machines", "2", "--num_processes", "4",
                                   "--machine_rank", str(rank), "--main_process_ip",
                                   "127.0.0.1", "--main_process_port", port],
                                  env=env, cwd=self.work, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True)
                 for rank in (0, 1)]
        try:
            outputs = [proc.communicate(timeout=300) for proc in procs]
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
        for proc, (out, err) in zip(procs, outputs):
            self.assertEqual(proc.returncode, 0, out + err)
            self.assertIn("accel test: 2 processes of 4 on this machine passed every check", out)
            self.assertIn(SUCCESS, out)

    def test_two_processes_by_default(self):
        self.assert_success(self.accel_test(), 2)

    def test_the_config_file_gives_num_processes(self):
        config = os.path.join(self.work, "three.yaml")
        with open(config, "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\n"
                    "num_machines: 1\nnum_processes: 3\nuse_cpu: true\nmixed_precision: 'no'\n")
        self.assert_success(self.accel_test("--config_file", config), 3)

    def test_the_default_config_file_is_read_as_accelerate_test_does(self):
        config_dir = os.path.join(self.work, "hf", "accelerate")
        os.makedirs(config_dir)
        with open(os.path.join(config_dir, "default_config.yaml"), "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\n"
                    "num_machines: 1\nnum_processes: 3\nuse_cpu: true\nmixed_precision: 'no'\n")
        self.assert_success(self.accel_test(), 3)

    def test_a_wrong_result_is_named_with_its_rank(self):
        r = self.accel_test("--num_processes", "2", env={"ACCEL_TEST_CORRUPT_RANK": "1"})
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        self.assertNotIn(SUCCESS, out)
        self.assertIn("accel test: rank 1: all_reduce float32 sum, 1 element, out of place: "
                      "1 wrong element (output[0] is 99, expected", r.stderr)
        self.assertIn("1 check of", r.stderr)
        self.assertIn("failed, on rank(s) 1", r.stderr)
        self.assertNotIn("rank 0:", r.stderr)

    def test_a_script_is_refused(self):
        r = self.accel_test("train.py")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("accel test takes accel launch's flags only, not a script: 'train.py'",
                      r.stderr)

    def test_a_bad_launch_flag_is_a_usage_error(self):
        r = self.accel_test("--num_processes", "two")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--num_processes", r.stderr)

    def test_the_worker_is_hidden_from_help(self):
        r = run_accel(["--help"])
        self.assertIn("test", r.stdout)
        self.assertNotIn("__test_worker", r.stdout)


if __name__ == "__main__":
    harness.main()
