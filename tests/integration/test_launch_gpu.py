"""accel launch on a GPU machine: real torch.distributed over NCCL and a real
HF Accelerate script. Skips (exit 77, with the reason) where there is no GPU,
no CUDA-enabled torch or no accelerate -- always in CI; tests/gpu/run.sh runs
it on the GPU machine."""
import json
import os
import subprocess
import textwrap
import unittest

import harness
from harness import TEST_PYTHON, run_accel, temp_dir
from machines import Machines


def gpu_count():
    """CUDA devices torch sees with the test Python, 0 when there is none."""
    try:
        probe = subprocess.run(
            [TEST_PYTHON, "-c", "import torch; print(torch.cuda.device_count())"],
            capture_output=True, text=True, timeout=120)
        return int(probe.stdout.strip() or 0) if probe.returncode == 0 else 0
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


def has_accelerate():
    return subprocess.run([TEST_PYTHON, "-c", "import accelerate"],
                          capture_output=True).returncode == 0


NCCL_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import torch, torch.distributed as dist
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    dist.init_process_group("nccl")
    t = torch.ones(4, device="cuda") * (dist.get_rank() + 1)
    dist.all_reduce(t)
    expected = sum(range(1, dist.get_world_size() + 1))
    assert t.tolist() == [expected] * 4, t
    with open(os.path.join(sys.argv[1], f"rank{dist.get_rank()}.json"), "w") as f:
        json.dump({"world": dist.get_world_size(), "device": torch.cuda.current_device(),
                   "cuda_visible": os.environ.get("CUDA_VISIBLE_DEVICES"),
                   "omp": os.environ.get("OMP_NUM_THREADS")}, f)
    dist.destroy_process_group()
""")

ACCELERATE_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import torch
    from accelerate import Accelerator
    accelerator = Accelerator()
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model, optimizer = accelerator.prepare(model, optimizer)
    x = torch.randn(16, 8, device=accelerator.device)
    loss = model(x).pow(2).mean()
    accelerator.backward(loss)
    optimizer.step()
    gathered = accelerator.gather(torch.tensor([accelerator.process_index],
                                               device=accelerator.device))
    with open(os.path.join(sys.argv[1], f"acc{accelerator.process_index}.json"), "w") as f:
        json.dump({"num_processes": accelerator.num_processes,
                   "device": str(accelerator.device),
                   "mixed_precision": accelerator.mixed_precision,
                   "gathered": gathered.tolist()}, f)
""")


class LaunchOnGpu(unittest.TestCase):
    def setUp(self):
        self.gpus = GPUS
        self.dir = temp_dir(self)
        self.env = {"HF_HOME": os.path.join(self.dir, "hf")}

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_config_default_counts_the_gpus(self):
        r = run_accel(["config", "default"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_accel(["config", "show"], env=self.env)
        self.assertIn("use_cpu: false", r.stdout)
        self.assertIn(f"num_processes: {self.gpus}", r.stdout)
        self.assertIn("MULTI_GPU" if self.gpus > 1 else "distributed_type: 'NO'", r.stdout)

    def test_nccl_all_reduce_on_every_gpu(self):
        script = self.write("nccl.py", NCCL_SCRIPT)
        out = os.path.join(self.dir, "out")
        os.mkdir(out)
        r = run_accel(["launch", "-q", "--num_processes", str(self.gpus),
                       "--python", TEST_PYTHON, script, out], env=self.env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        for rank in range(self.gpus):
            with open(os.path.join(out, f"rank{rank}.json")) as f:
                report = json.load(f)
            self.assertEqual(report["world"], self.gpus)
            self.assertEqual(report["device"], rank)
            self.assertEqual(report["omp"], "1")

    @unittest.skipUnless(has_accelerate(), "HF accelerate is not installed")
    def test_real_accelerate_script_with_bf16(self):
        script = self.write("acc.py", ACCELERATE_SCRIPT)
        out = os.path.join(self.dir, "out")
        os.mkdir(out)
        r = run_accel(["launch", "-q", "--num_processes", str(self.gpus),
                       "--mixed_precision", "bf16", "--python", TEST_PYTHON, script, out],
                      env=self.env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "acc0.json")) as f:
            report = json.load(f)
        self.assertEqual(report["num_processes"], self.gpus)
        self.assertEqual(report["device"], "cuda:0")
        self.assertEqual(report["mixed_precision"], "bf16")
        self.assertEqual(report["gathered"], list(range(self.gpus)))

    @unittest.skipUnless(has_accelerate(), "HF accelerate is not installed")
    def test_real_accelerate_script_on_cpu_with_four_processes(self):
        # Accelerate's MULTI_CPU path (gloo), as `accelerate launch --cpu
        # --num_processes 4` runs it, on the machine that has real accelerate.
        script = self.write("acc.py", ACCELERATE_SCRIPT)
        out = os.path.join(self.dir, "out")
        os.mkdir(out)
        r = run_accel(["launch", "-q", "--cpu", "--num_processes", "4",
                       "--python", TEST_PYTHON, script, out], env=self.env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        for index in range(4):
            with open(os.path.join(out, f"acc{index}.json")) as f:
                report = json.load(f)
            self.assertEqual(report["num_processes"], 4)
            self.assertTrue(report["device"].startswith("cpu"), report["device"])
            self.assertEqual(report["gathered"], [0, 1, 2, 3])

    @unittest.skipUnless(has_accelerate(), "HF accelerate is not installed")
    def test_real_accelerate_script_on_two_machines(self):
        # Two launchers on this host forming one job through the rendezvous,
        # as two machines would: Accelerate's MULTI_CPU path over gloo.
        script = self.write("acc.py", ACCELERATE_SCRIPT)
        out = os.path.join(self.dir, "out")
        os.mkdir(out)
        with Machines(self.dir, 2, ["--cpu", "--num_processes", "4", "--rdzv_token", "t"],
                      [script, out], env=self.env) as job:
            codes = job.wait(timeout=300)
            outputs = [job.output(rank) for rank in range(2)]
        self.assertEqual(codes, [0, 0], outputs)
        for index in range(4):
            with open(os.path.join(out, f"acc{index}.json")) as f:
                report = json.load(f)
            self.assertEqual(report["num_processes"], 4)
            self.assertEqual(report["gathered"], [0, 1, 2, 3])


GPUS = 0

if __name__ == "__main__":
    GPUS = gpu_count()
    if GPUS == 0:
        harness.skip_file(f"no CUDA GPU visible to {TEST_PYTHON} (torch.cuda.device_count() == 0 "
                          "or torch missing); GPU tests run on the GPU machine via tests/gpu/run.sh")
    harness.main()
