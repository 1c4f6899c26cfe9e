"""Worker scripts the multi-machine tests run under accel launch (written to
a file, run by the test Python): one place for the torch job they share."""

# A real gloo all-reduce over the whole world (init through env://, as
# torchrun's workers do); each rank writes the variables it was given to
# <argv[1]>/rank<RANK>.json.
ALL_REDUCE = r"""
import json, os, sys
import torch
import torch.distributed as dist
dist.init_process_group("gloo", init_method="env://")
rank, world = dist.get_rank(), dist.get_world_size()
assert rank == int(os.environ["RANK"]), (rank, os.environ["RANK"])
total = torch.tensor([float(rank + 1)])
dist.all_reduce(total)
assert total.item() == world * (world + 1) / 2, total
with open(os.path.join(sys.argv[1], "rank%d.json" % rank), "w") as f:
    json.dump({k: os.environ.get(k) for k in (
        "RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "GROUP_WORLD_SIZE",
        "MASTER_ADDR", "MASTER_PORT", "GLOO_SOCKET_IFNAME", "TORCHELASTIC_RUN_ID",
        "ACCEL_STORE_ADDR", "ACCEL_STORE_PORT", "ACCEL_JOB_TOKEN", "ACCEL_JOB_ID",
        "SLURM_PROCID", "SLURM_NODEID", "SLURMD_NODENAME")}, f)
dist.destroy_process_group()
"""
