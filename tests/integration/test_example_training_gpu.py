"""The example training job on the GPU (train_mlp --device cuda, found
through ACCEL_TRAIN_MLP) through the real launcher: bf16 mixed precision,
the gradients averaged by NCCL through accel::Communicator, the loss goes
down, the held-out accuracy rises, and every process ends with
bit-identical parameters. Two processes learn together where two GPUs are
visible; on one GPU the second process is refused, named. Skips (exit 77,
with the reason) where no GPU is visible -- always in CI; tests/gpu/run.sh
runs it on the GPU machine."""
import os
import unittest

import harness
from harness import run_accel, temp_dir
from test_example_training import EPOCH_LINE, TRAIN_MLP
from test_launch_gpu import gpu_count

GPUS = 0


class ExampleTrainingOnGpu(unittest.TestCase):
    def setUp(self):
        if not TRAIN_MLP:
            self.skipTest("ACCEL_TRAIN_MLP is not set (run through ctest)")
        self.work = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.work, "hf")}  # no default config file

    def train(self, processes, *args, timeout=300):
        return run_accel(["launch", "--num_processes", str(processes), "--mixed_precision", "bf16",
                          TRAIN_MLP, "--device", "cuda"] + list(args),
                         env=self.env, cwd=self.work, timeout=timeout)

    def check_learns(self, processes):
        r = self.train(processes, "--gradient_accumulation_steps", "2")
        output = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, output)
        self.assertRegex(r.stdout, rf"train_mlp: {processes} process(es)? on CUDA \(rank 0 on "
                                   r"cuda:0, .+\), mixed precision bf16, gradient accumulation 2")
        epochs = [(int(e), float(loss), float(accuracy))
                  for e, _, loss, accuracy in EPOCH_LINE.findall(r.stdout)]
        self.assertEqual([e for e, _, _ in epochs], list(range(1, 11)), output)
        first, last = epochs[0], epochs[-1]
        self.assertLess(last[1], first[1] / 4, "the loss went down:\n" + output)
        self.assertGreater(last[2], first[2] + 5, "the accuracy rose:\n" + output)
        self.assertGreater(last[2], 90.0, "it learned the problem:\n" + output)
        self.assertRegex(r.stdout, rf"parameters bit-identical on {processes} process(es)? "
                                   r"\(checksum [0-9a-f]{16}\)")
        return epochs

    def test_one_process_learns_on_its_gpu(self):
        self.check_learns(1)

    def test_two_processes_learn_on_two_gpus_or_the_second_is_refused_on_one(self):
        if GPUS >= 2:
            self.check_learns(2)
            r = self.train(2, "--epochs", "1", "--corrupt_rank", "1")
            output = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, output)
            self.assertIn("rank 1's parameters differ from rank 0's", output)
            return
        r = self.train(2, "--epochs", "1")
        output = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, output)
        self.assertIn("train_mlp: --device cuda: no CUDA device for rank 1: it is to use GPU 1 "
                      "(ACCEL_LOCAL_DEVICE=1) but only 1 GPU is visible", output)

    def test_the_gpu_follows_the_cpu_jobs_losses(self):
        # The kernels compute what the CPU model does but for expf/logf's
        # last bits (mlp_math.hpp), so the two runs stay close, epoch by epoch.
        def epochs(device, launch_flags):
            r = run_accel(["launch", *launch_flags, "--num_processes", "1", "--mixed_precision",
                           "bf16", TRAIN_MLP, "--device", device, "--epochs", "3"],
                          env=self.env, cwd=self.work, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return [(float(loss), float(accuracy))
                    for _, _, loss, accuracy in EPOCH_LINE.findall(r.stdout)], r.stdout
        cpu, cpu_output = epochs("cpu", ["--cpu"])
        gpu, gpu_output = epochs("cuda", [])
        both = f"CPU:\n{cpu_output}\nGPU:\n{gpu_output}"
        self.assertEqual(len(cpu), 3, both)
        self.assertEqual(len(gpu), 3, both)
        for (cpu_loss, cpu_accuracy), (gpu_loss, gpu_accuracy) in zip(cpu, gpu):
            self.assertAlmostEqual(gpu_loss, cpu_loss, delta=0.02 * cpu_loss + 0.001, msg=both)
            self.assertAlmostEqual(gpu_accuracy, cpu_accuracy, delta=1.5, msg=both)

    def test_fp16_is_refused_on_the_gpu(self):
        r = run_accel(["launch", "--num_processes", "1", "--mixed_precision", "fp16", TRAIN_MLP,
                       "--device", "cuda", "--epochs", "1"], env=self.env, cwd=self.work)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--device cuda trains with mixed precision no or bf16, not fp16", r.stderr)


if __name__ == "__main__":
    GPUS = gpu_count()
    if GPUS == 0:
        harness.skip_file("no CUDA GPU visible (torch.cuda.device_count() == 0 or torch missing); "
                          "the example's GPU job runs on the GPU machine via tests/gpu/run.sh")
    harness.main()
