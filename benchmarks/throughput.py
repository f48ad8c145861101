"""Training-step throughput of the DCGAN-CIFAR pair (`model.arch=dcgan`, 32x32, base width 64,
BN in G, layer norm in D, latent 100), batch 64, non-saturating loss, Adam 2e-4, one D step
and one G step: unregularised and with each penalty, with and without XLA, measured side by
side (interleaved repetitions, median). When PyTorch is installed
(benchmarks/requirements-peers.txt) the same pair, batch, loss and optimiser written in plain
PyTorch is timed too, plain and with R1, and our steps are printed as ratios of theirs. The
row `r1 lazy/k` is R1 with lazy regularisation (`penalty_every=k`, StyleGAN2; k from --lazy).

    python benchmarks/throughput.py [--steps 10] [--reps 3] [--penalties r1,wgan_gp,...] [--lazy 16]

Random data and random-weight networks: nothing is downloaded. Targets on a CPU: our plain step
at most 0.8x the PyTorch one, and R1 at most 1.15x our plain step.
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_reg import GAN, penalties  # noqa: E402
from tfgan_reg.nets import dcgan  # noqa: E402

LATENT, WIDTH, SHAPE = 100, 64, (32, 32, 3)
GAMMA = 10.0  # R1's weight in both implementations


def _model(penalty, jit, every=1):
    g = dcgan.dcgan_generator(latent_dim=LATENT, output_shape=SHAPE, width=WIDTH, seed=1)
    d = dcgan.dcgan_discriminator(input_shape=SHAPE, width=WIDTH, normalization="layer", seed=2)
    kwargs = {"gamma": GAMMA} if penalty == "r1" else {}
    loss = "gan" if penalty == "roth_f" else "non_saturating"
    model = GAN(g, d, latent_dim=LATENT, loss=loss,
                penalties={penalty: kwargs} if penalty != "none" else None, seed=0,
                penalty_every=every)
    model.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), jit_compile=jit)
    g(tf.zeros([1, LATENT]))
    d(tf.zeros((1,) + SHAPE))
    model.build_optimizers()
    return model


class _Ours:
    def __init__(self, penalty, jit, batch, every=1):
        self.model = _model(penalty, jit, every)
        x = np.random.default_rng(0).uniform(-1, 1, size=(batch * 4,) + SHAPE)
        self.it = iter(tf.data.Dataset.from_tensor_slices(x.astype(np.float32)).batch(batch)
                       .repeat())
        self.model.make_train_function()
        self.fn = self.model.train_function
        self.run(2)  # trace / compile

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            logs = self.fn(self.it)
        float(logs["d_loss"])  # wait for the last step
        return (time.perf_counter() - start) / steps


class _Torch:
    """The same pair, loss, optimiser and step order in plain PyTorch (NCHW)."""

    def __init__(self, r1, batch):
        import torch
        from torch import nn
        torch.manual_seed(0)
        self.torch, self.r1, self.batch = torch, r1, batch
        self.g = nn.Sequential(
            nn.Linear(LATENT, 4 * 4 * 4 * WIDTH), nn.BatchNorm1d(4 * 4 * 4 * WIDTH), nn.ReLU(),
            nn.Unflatten(1, (4 * WIDTH, 4, 4)),
            nn.ConvTranspose2d(4 * WIDTH, 2 * WIDTH, 4, 2, 1), nn.BatchNorm2d(2 * WIDTH),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * WIDTH, WIDTH, 4, 2, 1), nn.BatchNorm2d(WIDTH), nn.ReLU(),
            nn.ConvTranspose2d(WIDTH, 3, 4, 2, 1), nn.Tanh())
        self.d = nn.Sequential(
            nn.Conv2d(3, WIDTH, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(WIDTH, 2 * WIDTH, 4, 2, 1), nn.LayerNorm([2 * WIDTH, 8, 8]),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * WIDTH, 4 * WIDTH, 4, 2, 1), nn.LayerNorm([4 * WIDTH, 4, 4]),
            nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 4 * 4 * WIDTH, 1))
        self.opt_d = torch.optim.Adam(self.d.parameters(), 2e-4, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(self.g.parameters(), 2e-4, betas=(0.5, 0.999))
        self.real = torch.rand(batch, 3, 32, 32) * 2 - 1
        self.run(2)

    def step(self):
        torch, f = self.torch, self.torch.nn.functional
        real = self.real.clone().requires_grad_(self.r1)
        fake = self.g(torch.randn(self.batch, LATENT)).detach()
        real_logits = self.d(real)
        loss = f.softplus(-real_logits).mean() + f.softplus(self.d(fake)).mean()
        if self.r1:
            (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
            loss = loss + 0.5 * GAMMA * grad.pow(2).flatten(1).sum(1).mean()
        self.opt_d.zero_grad()
        loss.backward()
        self.opt_d.step()
        g_loss = f.softplus(-self.d(self.g(torch.randn(self.batch, LATENT)))).mean()
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return (time.perf_counter() - start) / steps


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10, help="timed steps per repetition")
    p.add_argument("--reps", type=int, default=3, help="interleaved repetitions (median)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--penalties", default=",".join(["none"] + penalties.names()))
    p.add_argument("--xla", choices=("both", "off", "on"), default="both")
    p.add_argument("--lazy", type=int, default=16,
                   help="also time R1 applied every k-th D step (0: skip)")
    args = p.parse_args()
    names = args.penalties.split(",")
    if "none" not in names:
        names = ["none"] + names
    jits = {"both": (False, True), "off": (False,), "on": (True,)}[args.xla]
    runners = {(n, jit): _Ours(n, jit, args.batch) for jit in jits for n in names}
    lazy = f"r1 lazy/{args.lazy}"
    if args.lazy > 1:
        names = names + [lazy]
        runners.update({(lazy, jit): _Ours("r1", jit, args.batch, args.lazy) for jit in jits})
    try:
        import torch
        torch.set_num_threads(os.cpu_count())
        runners[("torch", False)] = _Torch(False, args.batch)
        runners[("torch r1", False)] = _Torch(True, args.batch)
    except ImportError:
        torch = None
    times = {k: [] for k in runners}
    # A lazy run is timed over a multiple of k steps: every window holds the same share of
    # penalised steps.
    lazy_steps = -(-args.steps // max(args.lazy, 1)) * max(args.lazy, 1)
    for _ in range(args.reps):
        for key, runner in runners.items():
            times[key].append(runner.run(lazy_steps if key[0] == lazy else args.steps))
    step = {k: float(np.median(v)) for k, v in times.items()}
    print(f"DCGAN-CIFAR (32x32, width {WIDTH}), batch {args.batch}, {args.steps} steps x "
          f"{args.reps} interleaved repetitions (median), {os.cpu_count()} CPUs")
    print(f"{'step':<22}{'ms':>9}{'images/s':>10}{'vs plain':>10}")
    for jit in jits:
        plain = step[("none", jit)]
        for n in names:
            s = step[(n, jit)]
            print(f"{n + (' +XLA' if jit else ''):<22}{1e3 * s:>9.1f}{args.batch / s:>10.0f}"
                  f"{s / plain:>10.2f}")
    if torch is None:
        print("PyTorch not installed (pip install -r benchmarks/requirements-peers.txt): "
              "peer skipped")
        return
    for key in ("torch", "torch r1"):
        s = step[(key, False)]
        print(f"{'PyTorch ' + key[6:] if key != 'torch' else 'PyTorch plain':<22}"
              f"{1e3 * s:>9.1f}{args.batch / s:>10.0f}{s / step[('torch', False)]:>10.2f}")
    best = min(step[("none", jit)] for jit in jits)
    r1 = [jit for jit in jits if ("r1", jit) in step]
    setting = "ours at its faster XLA setting" if len(jits) > 1 else (
        "ours with XLA" if jits[0] else "ours without XLA")
    print(f"ours / PyTorch, plain step: {best / step[('torch', False)]:.2f} (target <= 0.8; "
          f"{setting})")
    if r1:
        jit = min(r1, key=lambda j: step[("r1", j)])
        print(f"ours R1 / ours plain: {step[('r1', jit)] / step[('none', jit)]:.2f} "
              f"(target <= 1.15), ours R1 / PyTorch R1: "
              f"{step[('r1', jit)] / step[('torch r1', False)]:.2f}")
    if args.lazy > 1:
        jit = min(jits, key=lambda j: step[(lazy, j)])
        print(f"ours {lazy} (lazy regularisation, R1 every {args.lazy}th D step with "
              f"{args.lazy}x the weight) / ours plain: "
              f"{step[(lazy, jit)] / step[('none', jit)]:.2f}")


if __name__ == "__main__":
    main()
