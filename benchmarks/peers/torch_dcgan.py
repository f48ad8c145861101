"""Peer worker of benchmarks/throughput.py: the DCGAN-CIFAR pair, loss, optimiser and step
order in plain PyTorch (NCHW), one row (precision; no penalty, R1 or WGAN-GP) per process.

Imports numpy and torch only, never TensorFlow (torch's CUDA wheels crash when imported after
it), so it can run under another Python: `throughput.py --peer-python PATH`. It loads from the
spec's files our starting weights (already in PyTorch's layout and parameter names), real
batches and latents, steps twice to warm up, then answers `{"cmd": "run", "steps": N}` with
its seconds per step (protocol: workers.py beside this file).

    python torch_dcgan.py SPEC.json
"""
import json
import os
import sys
import time

import numpy as np

from workers import serve

PRECISIONS = ("float32", "bfloat16", "float16")
PENALTIES = ("none", "r1", "wgan_gp")


def networks(torch, latent, width):
    """Generator and discriminator as throughput.py builds ours: BN in G, layer norm over
    (C, H, W) in D, Keras's epsilon 1e-3 in both norms."""
    from torch import nn
    g = nn.Sequential(
        nn.Linear(latent, 4 * 4 * 4 * width), nn.BatchNorm1d(4 * 4 * 4 * width, eps=1e-3),
        nn.ReLU(), nn.Unflatten(1, (4 * width, 4, 4)),
        nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1), nn.BatchNorm2d(2 * width, eps=1e-3),
        nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.BatchNorm2d(width, eps=1e-3),
        nn.ReLU(),
        nn.ConvTranspose2d(width, 3, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LayerNorm([2 * width, 8, 8], eps=1e-3),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 4 * width, 4, 2, 1), nn.LayerNorm([4 * width, 4, 4], eps=1e-3),
        nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 4 * 4 * width, 1))
    return g, d


def load_weights(torch, module, arrays, prefix):
    """Copies `arrays[prefix + name]` into every parameter; KeyError names a missing one."""
    with torch.no_grad():
        for name, param in module.named_parameters():
            value = torch.from_numpy(np.ascontiguousarray(arrays[prefix + name]))
            if value.shape != param.shape:
                raise ValueError(f"{prefix + name}: shape {tuple(value.shape)}, expected "
                                 f"{tuple(param.shape)}")
            param.copy_(value)


def autocast_works(torch, dtype):
    """Whether CPU autocast really computes a convolution in `dtype` (an unsupported dtype
    only warns and runs in float32)."""
    with torch.autocast("cpu", dtype=dtype):
        out = torch.nn.Conv2d(3, 4, 3)(torch.ones(1, 3, 8, 8))
    return out.dtype == dtype


def setup():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    import torch
    f = torch.nn.functional
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    precision, penalty, gamma = spec["precision"], spec["penalty"], spec["gamma"]
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}. "
                         f"Received: precision={precision!r}")
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {list(PENALTIES)}. "
                         f"Received: penalty={penalty!r}")
    r1 = penalty == "r1"
    eps = torch.Generator().manual_seed(1)  # WGAN-GP's interpolation weights
    dtype = getattr(torch, precision)
    amp = precision != "float32"
    if amp and not autocast_works(torch, dtype):
        raise RuntimeError(f"torch {torch.__version__} CPU autocast does not support "
                           f"{precision}")
    g, d = networks(torch, spec["latent"], spec["width"])
    if spec.get("weights"):
        arrays = np.load(spec["weights"])
        load_weights(torch, g, arrays, "g.")
        load_weights(torch, d, arrays, "d.")
    data = np.load(spec["data"])
    reals = [torch.from_numpy(np.ascontiguousarray(x)) for x in data["real_nchw"]]
    latents = [torch.from_numpy(z) for z in data["latents"]]
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    # float16 as PyTorch's AMP recipe has it: dynamic loss scaling, and the penalty's input
    # gradient taken of the scaled logits and unscaled before its norm.
    scaler_d = torch.amp.GradScaler("cpu", enabled=precision == "float16")
    scaler_g = torch.amp.GradScaler("cpu", enabled=precision == "float16")
    state = {"k": 0}

    def autocast():
        return torch.autocast("cpu", dtype=dtype, enabled=amp)

    def input_grad(logits, x):
        (grad,) = torch.autograd.grad(scaler_d.scale(logits.sum()), x, create_graph=True)
        return grad.float() / scaler_d.get_scale() if scaler_d.is_enabled() else grad.float()

    def step():
        k = state["k"]
        state["k"] += 1
        real = reals[k % len(reals)].clone().requires_grad_(r1)
        z_d, z_g = latents[(2 * k) % len(latents)], latents[(2 * k + 1) % len(latents)]
        with autocast():
            fake = g(z_d).detach()
            real_logits = d(real).float()
            loss = f.softplus(-real_logits).mean() + f.softplus(d(fake).float()).mean()
        if r1:
            grad = input_grad(real_logits, real)
            loss = loss + 0.5 * gamma * grad.pow(2).flatten(1).sum(1).mean()
        elif penalty == "wgan_gp":  # lam 10 at real-fake interpolates (Gulrajani et al.)
            e = torch.rand(real.shape[0], 1, 1, 1, generator=eps)
            x_hat = (e * real + (1 - e) * fake).requires_grad_(True)
            with autocast():
                hat_logits = d(x_hat).float()
            norm = input_grad(hat_logits, x_hat).flatten(1).norm(dim=1)
            loss = loss + 10.0 * (norm - 1).pow(2).mean()
        opt_d.zero_grad()
        scaler_d.scale(loss).backward()
        scaler_d.step(opt_d)
        scaler_d.update()
        with autocast():
            g_loss = f.softplus(-d(g(z_g)).float()).mean()
        opt_g.zero_grad()
        scaler_g.scale(g_loss).backward()
        scaler_g.step(opt_g)
        scaler_g.update()
        return float(loss.detach())

    with torch.no_grad():
        d_real_logit_mean = float(d(reals[0]).mean())
    first = [step() for _ in range(2)]  # warm-up

    def run(steps):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        return {"seconds_per_step": (time.perf_counter() - start) / steps}

    return ({"torch": torch.__version__, "cuda": torch.version.cuda, "threads":
             torch.get_num_threads(), "d_real_logit_mean": d_real_logit_mean,
             "first_d_loss": first[0], "pid": os.getpid()}, {"run": run})


if __name__ == "__main__":
    serve(setup)
