"""The example training job (docs/examples/train_mlp.cpp, found through
ACCEL_TRAIN_MLP) through the real launcher: on 1 and 4 processes, with bf16
mixed precision (the launcher's --mixed_precision) and gradient accumulation
over 2 micro-steps, the loss goes down, the held-out accuracy rises, and
every process ends with bit-identical parameters. A process whose
parameters were made to differ fails the job, named. `--device cuda`
without a GPU stops with exit code 2 and says why (the GPU job itself:
test_example_training_gpu.py)."""
import os
import re
import unittest

import harness
from harness import run_accel, temp_dir

TRAIN_MLP = os.environ.get("ACCEL_TRAIN_MLP", "")
EPOCH_LINE = re.compile(r"^epoch (\d+)/(\d+)  loss ([0-9.]+)  accuracy ([0-9.]+)%", re.M)


class ExampleTraining(unittest.TestCase):
    def setUp(self):
        if not TRAIN_MLP:
            self.skipTest("ACCEL_TRAIN_MLP is not set (run through ctest)")
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf")}  # no default config file

    def train(self, processes, *args, timeout=240):
        return run_accel(["launch", "--cpu", "--num_processes", str(processes),
                          "--mixed_precision", "bf16", TRAIN_MLP] + list(args),
                         env=self.env, cwd=self.work, timeout=timeout)

    def check_learns(self, processes):
        r = self.train(processes, "--gradient_accumulation_steps", "2")
        output = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, output)
        self.assertIn(f"train_mlp: {processes} process", r.stdout)
        self.assertIn("mixed precision bf16, gradient accumulation 2", r.stdout)
        epochs = [(int(e), float(loss), float(accuracy))
                  for e, _, loss, accuracy in EPOCH_LINE.findall(r.stdout)]
        # The main process prints each epoch once; the others print nothing.
        self.assertEqual([e for e, _, _ in epochs], list(range(1, 11)), output)
        first, last = epochs[0], epochs[-1]
        self.assertLess(last[1], first[1] / 4, "the loss went down:\n" + output)
        self.assertGreater(last[2], first[2] + 5, "the accuracy rose:\n" + output)
        self.assertGreater(last[2], 90.0, "it learned the problem:\n" + output)
        self.assertRegex(r.stdout, r"trained 10 epochs in [0-9.]+ s")
        self.assertRegex(r.stdout, rf"parameters bit-identical on {processes} process(es)? "
                                   r"\(checksum [0-9a-f]{16}\)")

    def test_one_process_learns(self):
        self.check_learns(1)

    def test_four_processes_learn_and_end_identical(self):
        self.check_learns(4)

    def test_parameters_that_differ_fail_the_job_naming_the_rank(self):
        r = self.train(4, "--epochs", "1", "--corrupt_rank", "2")
        output = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, output)
        self.assertIn("rank 2's parameters differ from rank 0's", output)
        self.assertIn("FAILED: the parameters differ between processes", r.stdout)
        self.assertNotIn("bit-identical", output)

    def test_device_cuda_without_a_gpu_is_refused_with_exit_code_2(self):
        # Hidden GPUs (CUDA_VISIBLE_DEVICES=""), so this runs the same on the
        # GPU machine; a build without the CUDA toolkit refuses the flag itself.
        env = dict(self.env, CUDA_VISIBLE_DEVICES="")
        r = run_accel(["launch", "--num_processes", "1", "--mixed_precision", "bf16", TRAIN_MLP,
                       "--device", "cuda", "--epochs", "1"], env=env, cwd=self.work, timeout=120)
        output = r.stdout + r.stderr
        self.assertEqual(r.returncode, 2, output)
        self.assertRegex(r.stderr, r"train_mlp: --device cuda: (no CUDA device on rank 0 "
                                   r"\(cudaGetDeviceCount: .+\); run on a machine with an "
                                   r"NVIDIA GPU|this train_mlp was built without CUDA)")
        self.assertIn("--device cpu", r.stderr)
        self.assertNotIn("epoch 1/1", r.stdout)

    def test_an_unknown_device_is_named(self):
        r = self.train(1, "--device", "tpu")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--device 'tpu' is not cpu or cuda", r.stderr)

    def test_a_bad_flag_is_named(self):
        r = self.train(1, "--gradient_accumulation_steps", "0")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--gradient_accumulation_steps '0' is not a number from 1 up", r.stderr)


if __name__ == "__main__":
    harness.main()
