"""A tiny data-parallel training job: the README's main job.

Run it with `accel launch --cpu --num_processes 4 docs/examples/train_ddp.py`.
Each process joins the gloo process group through the environment accel
gives it (env://), trains a small model with DistributedDataParallel on its
shard of a synthetic regression problem, and rank 0 reports the loss. At the
end every rank checks that its parameters equal rank 0's.
"""
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def main():
    dist.init_process_group("gloo")  # MASTER_ADDR/PORT, RANK, WORLD_SIZE from accel
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    true_weights = torch.randn(16, 1)

    model = DistributedDataParallel(torch.nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    generator = torch.Generator().manual_seed(1000 + rank)  # a different shard per rank
    for step in range(200):
        x = torch.randn(32, 16, generator=generator)
        y = x @ true_weights
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if rank == 0 and step % 50 == 0:
            print(f"step {step:3d}  loss {loss.item():.5f}", flush=True)

    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, src=0)
    assert torch.equal(flat, reference), f"rank {rank}: parameters diverged from rank 0"
    if rank == 0:
        print(f"done: {world} processes (pid {os.getpid()} is rank 0), final loss "
              f"{loss.item():.6f}, parameters identical on every rank", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
