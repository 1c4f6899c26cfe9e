"""Environment parity with the real `accelerate launch`, on a machine that has
HF Accelerate (the GPU machine): for each case, run the same command line
under `accelerate launch` and `accel launch` with a script that dumps its
environment, and print every variable whose value differs between the two
(besides those inherited unchanged from this process). Exit 1 when a
variable differs for a reason not listed below (docs/launch.md's audit
table), 77 when accelerate is missing.

    python3 tests/gpu/env_parity.py ACCEL_BIN [OUT_DIR]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

DUMP = """
import json, os, sys
with open(os.path.join(sys.argv[1], os.environ.get("RANK", "0") + ".json"), "w") as f:
    json.dump(dict(os.environ), f)
"""

FSDP_CONFIG = """compute_environment: LOCAL_MACHINE
distributed_type: FSDP
fsdp_config:
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_backward_prefetch: BACKWARD_PRE
  fsdp_cpu_ram_efficient_loading: true
  fsdp_forward_prefetch: false
  fsdp_offload_params: false
  fsdp_sharding_strategy: FULL_SHARD
  fsdp_state_dict_type: SHARDED_STATE_DICT
  fsdp_sync_module_states: true
  fsdp_use_orig_params: true
  fsdp_activation_checkpointing: true
machine_rank: 0
main_training_function: main
mixed_precision: bf16
num_machines: 1
num_processes: 2
rdzv_backend: static
same_network: true
use_cpu: false
"""

CASES = {
    "one_gpu": ["--num_processes", "1"],
    "bf16": ["--num_processes", "1", "--mixed_precision", "bf16"],
    "multi_gpu_2": ["--multi_gpu", "--num_processes", "2"],
    "cpu_4": ["--cpu", "--num_processes", "4"],
    "grad_accum_dynamo": ["--num_processes", "1", "--gradient_accumulation_steps", "4",
                          "--dynamo_backend", "inductor"],
    "fsdp_config_file": ["--config_file", "{fsdp_config}"],
}

# Variables whose values legitimately differ (random ids, ports picked at run
# time). Anything not listed here or below is a bug.
VOLATILE = {"TORCHELASTIC_RUN_ID", "MASTER_PORT", "OLDPWD", "_"}
# Set inside accelerate's own Python process by the libraries it imports
# (torch, Intel OpenMP, Open MPI) and so inherited by its workers; not part of
# the launcher contract, and a worker's own import sets them again.
LAUNCHER_PROCESS_LEAKS = {"KMP_DUPLICATE_LIB_OK", "KMP_INIT_AT_FORK", "TORCHINDUCTOR_CACHE_DIR",
                          "OMPI_MCA_BTL_VADER_SINGLE_COPY_MECHANISM", "OMPI_MCA_PLM",
                          "PMIX_MCA_GDS"}
# docs/launch.md's audit table: torchrun sets these and accel does not, on purpose.
NOT_SET_ON_PURPOSE = {"TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_ERROR_FILE"}
# accel gives every worker torchrun's variables, on the simple launcher's
# path too (docs/launch.md), where accelerate sets none of them.
ADDED_ON_EVERY_PATH = {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK",
                       "GROUP_WORLD_SIZE", "ROLE_RANK", "ROLE_NAME", "ROLE_WORLD_SIZE",
                       "MASTER_ADDR", "TORCHELASTIC_MAX_RESTARTS", "TORCHELASTIC_RESTART_COUNT",
                       "TORCH_NCCL_ASYNC_ERROR_HANDLING"}


def explained(key, accelerate_value, accel_value):
    if key in VOLATILE or key in LAUNCHER_PROCESS_LEAKS:
        return True
    if key.startswith("ACCEL_") and accelerate_value is None:
        return True  # accel's own contract (DESIGN.md)
    if key in NOT_SET_ON_PURPOSE and accel_value is None:
        return True
    return key in ADDED_ON_EVERY_PATH and accelerate_value is None


def run(argv, env, timeout=300):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def main():
    accel = os.path.abspath(sys.argv[1])
    out_root = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    python = shutil.which("python3")
    if run([python, "-c", "import accelerate"], os.environ).returncode != 0:
        print("accelerate is not installed: nothing to compare")
        return 77
    work = tempfile.mkdtemp(prefix="accel-parity-")
    script = os.path.join(work, "dump_env.py")
    with open(script, "w") as f:
        f.write(DUMP)
    fsdp_config = os.path.join(work, "fsdp.yaml")
    with open(fsdp_config, "w") as f:
        f.write(FSDP_CONFIG)
    env = dict(os.environ, HF_HOME=os.path.join(work, "hf"))
    unexpected = 0
    report = {}
    for name, args in CASES.items():
        args = [a.format(fsdp_config=fsdp_config) for a in args]
        dumps = {}
        for launcher, argv in (("accelerate", ["accelerate", "launch"]),
                               ("accel", [accel, "launch", "-q"])):
            out = os.path.join(work, name, launcher)
            os.makedirs(out)
            r = run(argv + args + [script, out], env)
            if r.returncode != 0:
                print(f"== {name}: {launcher} failed ({r.returncode}):\n{r.stderr[-3000:]}")
                dumps[launcher] = None
                continue
            with open(os.path.join(out, "0.json")) as f:
                dumps[launcher] = json.load(f)
        if dumps.get("accelerate") is None or dumps.get("accel") is None:
            unexpected += dumps.get("accelerate") is not None or dumps.get("accel") is not None
            report[name] = {"error": "a launcher failed"}
            continue
        a, b = dumps["accelerate"], dumps["accel"]
        diffs = {}
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                diffs[key] = (a.get(key), b.get(key))
        real = {k: v for k, v in diffs.items() if not explained(k, *v)}
        report[name] = {"unexplained": {k: list(v) for k, v in real.items()},
                        "explained": {k: list(v) for k, v in diffs.items() if k not in real}}
        print(f"== {name}: {len(diffs)} variable(s) differ, {len(real)} unexplained "
              "(accelerate | accel)")
        for key, (va, vb) in diffs.items():
            print(f"   {'!!' if key in real else '  '} {key}: {va!r} | {vb!r}")
        unexpected += bool(real)
    if out_root:
        with open(os.path.join(out_root, "env_parity.json"), "w") as f:
            json.dump(report, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
