"""
Opacus's private step on the digits models, for the side-by-side table of bench/dpsgd.bench.ts.

One step = forward, loss, backward (Opacus's per-example grad hooks), DPOptimizer.step (per-example
clipping, Gaussian noise, SGD update), zero_grad; the same models and batch sizes as the tfjs
bench (digits MLP 64-64-10 at batch 256, digits CNN conv3x3x8 'same' + conv3x3x16 'same' + dense 10
at batch 64 on 8x8x1), random inputs, torch CPU with 2 threads, then 1 (BENCH_THREADS). Also a plain (non-private) torch
step for reference. Prints one JSON line per case (medians in ms).

Run (Opacus 1.4.0 supports torch 1.13, e.g. Debian bookworm's python3-torch):
  PYTHONPATH=<opacus-1.4 checkout>:<opt_einsum> /usr/bin/python3 bench/opacus/dpsgd_step.py
"""
import json
import os
import statistics
import time

import torch
from torch import nn
import opacus
from opacus import GradSampleModule
from opacus.optimizers import DPOptimizer

# 2 threads as in our earlier comparison; also 1, because on a shared, loaded 2-core machine OpenMP's
# spinning threads can make 2 slower than 1 (the bench compares against the faster).
THREADS = [int(t) for t in os.environ.get("BENCH_THREADS", "2,1").split(",")]
torch.manual_seed(0)


def digits_mlp():
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def digits_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 10),
    )


def timed(step, warmup=3, runs=int(os.environ.get("BENCH_RUNS", "30"))):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def case(name, build, shape, batch, threads):
    torch.set_num_threads(threads)
    x = torch.rand(batch, *shape)
    y = torch.arange(batch) % 10
    loss_fn = nn.CrossEntropyLoss()

    plain = build()
    plain_opt = torch.optim.SGD(plain.parameters(), lr=0.01)

    def plain_step():
        plain_opt.zero_grad()
        loss_fn(plain(x), y).backward()
        plain_opt.step()

    model = GradSampleModule(build())
    optimizer = DPOptimizer(
        torch.optim.SGD(model.parameters(), lr=0.01),
        noise_multiplier=1.0, max_grad_norm=1.0, expected_batch_size=batch,
    )

    def private_step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return {
        "case": f"{name}, batch {batch}", "opacus": opacus.__version__, "torch": torch.__version__,
        "threads": threads, "nonPrivateMs": round(timed(plain_step), 2), "opacusMs": round(timed(private_step), 2),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
    }


for threads in THREADS:
    for args in (("digits MLP 64-64-10", digits_mlp, (64,), 256), ("digits CNN 2 conv + dense", digits_cnn, (1, 8, 8), 64)):
        print(json.dumps(case(*args, threads)), flush=True)
