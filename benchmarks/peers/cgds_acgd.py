"""Peer worker of benchmarks/cgd.py: the `cgds` package's ACGD (PyTorch) on the ICR paper's CIFAR-10
DCGAN pair, from our initial weights, on our real batches and latents.

Imports numpy, torch and cgds only, never TensorFlow (torch's CUDA wheels crash when imported
after it), so it can run under another Python: `cgd.py --peer-python PATH`. Commands
(protocol: workers.py beside this file): `run` N steps -> seconds per step, CG iterations and
f before each step; `hvp` N -> seconds per mixed product as cgds computes it inside a step.

    python cgds_acgd.py SPEC.json
"""
import json
import os
import sys
import time

import numpy as np

from workers import serve

LATENT = 128


def networks(torch):
    """The ICR paper's pair in NCHW; batch-norm epsilon is Keras's 1e-3."""
    from torch import nn
    gen = nn.Sequential(
        nn.Linear(LATENT, 4 * 4 * 256), nn.BatchNorm1d(4 * 4 * 256, eps=1e-3), nn.ReLU(),
        nn.Unflatten(1, (256, 4, 4)),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128, eps=1e-3), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64, eps=1e-3), nn.ReLU(),
        nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())
    dis = nn.Sequential(
        nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1),
        nn.LeakyReLU(0.2), nn.Conv2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(),
        nn.Linear(4 * 4 * 256, 1))
    return gen, dis


def setup():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    import torch
    from CGDs import ACGD  # the `cgds` distribution installs package CGDs
    torch.set_num_threads(spec["threads"])
    gen, dis = networks(torch)
    arrays = np.load(spec["weights"])
    named = dict(gen.named_parameters(prefix="g"))
    named.update(dis.named_parameters(prefix="d"))
    with torch.no_grad():  # the batch-norm scales and offsets keep 1 and 0, as in Keras
        for key in arrays.files:
            named[key].copy_(torch.from_numpy(np.ascontiguousarray(arrays[key])))
    # cgds stops when |r|^2 < tol |b|^2 or |r|^2 < atol: squared, so the same relative residual
    # as ours (|r| <= tol |b|) is their tol**2.
    opt = ACGD(max_params=dis.parameters(), min_params=gen.parameters(), lr_max=spec["lr"],
               lr_min=spec["lr"], tol=spec["tol"] ** 2, atol=spec["atol"] ** 2,
               collect_info=True)
    data = np.load(spec["data"])
    batches = [torch.from_numpy(np.ascontiguousarray(x)) for x in data["real_nchw"]]
    latents = [torch.from_numpy(z) for z in data["latents"]]
    state = {"k": 0}

    def loss_at(k):
        return dis(batches[k]).mean() - dis(gen(latents[k])).mean()

    def run(steps):
        iterations, losses = [], []
        start = time.perf_counter()
        for _ in range(steps):
            loss = loss_at(state["k"])
            losses.append(float(loss.detach()))
            opt.zero_grad()
            opt.step(loss)
            iterations.append(float(opt.get_info()["iter_num"]))
            state["k"] += 1
        return {"seconds_per_step": (time.perf_counter() - start) / steps,
                "iterations": iterations, "losses": losses}

    def hvp(steps):
        """Double backward through a gradient graph built once (create_graph=True), as
        inside a cgds step: the forward pass is not repeated."""
        g_params, d_params = list(gen.parameters()), list(dis.parameters())
        vec = [torch.full_like(p, 1e-3) for p in d_params]
        grad_d = torch.autograd.grad(loss_at(0), d_params, create_graph=True)
        dot = sum((a * b).sum() for a, b in zip(grad_d, vec))
        torch.autograd.grad(dot, g_params, retain_graph=True)
        start = time.perf_counter()
        for _ in range(steps):
            torch.autograd.grad(dot, g_params, retain_graph=True)
        return {"seconds": (time.perf_counter() - start) / steps}

    return ({"torch": torch.__version__, "cuda": torch.version.cuda, "pid": os.getpid()},
            {"run": run, "hvp": hvp})


if __name__ == "__main__":
    serve(setup)
