"""Step time of Adam, CGD and ACGD on seed 003's CIFAR-10 DCGAN pair (its Tables 4-5), batch 64,
measured side by side in one run, with and without XLA; and, when PyTorch and `cgds` are
installed (benchmarks/requirements-peers.txt), the PyTorch `cgds` ACGD on the same networks,
batch and CG tolerance.

    python benchmarks/cgd.py [--steps 5] [--batch 64] [--tol 1e-6] [--max_iter 100]

Random data and random-weight networks: nothing is downloaded. Prints one table; ratios are to
our Adam step of the same XLA setting, and ours / theirs for the peer. Our CGD / ACGD use
linearized products (the default); the row `acgd-fob` is ACGD with `linearize=False`, every
product a full forward-over-backward pass.
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_reg import GAN, optimizers  # noqa: E402
from tfgan_reg.nets import seed003  # noqa: E402
from tfgan_reg.optimizers import hvp  # noqa: E402

LATENT = 128


def _data(batch, steps):
    x = np.random.default_rng(0).uniform(-1, 1, size=(batch * steps, 32, 32, 3))
    return tf.data.Dataset.from_tensor_slices(x.astype(np.float32)).batch(batch).repeat()


def _model(kind, args, jit):
    g = seed003.cifar_generator(latent_dim=LATENT, seed=1)
    d = seed003.cifar_discriminator(seed=2)
    model = GAN(g, d, latent_dim=LATENT, loss="wasserstein", scheme="simultaneous", seed=0)
    if kind == "adam":
        model.compile(d_optimizer=keras.optimizers.Adam(1e-4),
                      g_optimizer=keras.optimizers.Adam(1e-4), jit_compile=jit)
    else:
        kw = dict(tol=args.tol, atol=args.atol, max_iter=args.max_iter,
                  linearize=not kind.endswith("-fob"))
        opt = (optimizers.CGD(1e-4, **kw) if kind.startswith("cgd") else
               optimizers.ACGD(1e-4, **kw))
        model.compile(joint_optimizer=opt, jit_compile=jit)
    g(tf.zeros([1, LATENT]))
    d(tf.zeros([1, 32, 32, 3]))
    model.build_optimizers()
    return model


def time_ours(kind, args, jit):
    model = _model(kind, args, jit)
    model.make_train_function()
    fn = model.train_function
    it = iter(_data(args.batch, args.steps + 2))
    logs = fn(it)  # trace / compile
    logs = fn(it)
    start = time.perf_counter()
    iters = []
    for _ in range(args.steps):
        logs = fn(it)
        model.reset_metrics()
        if kind != "adam":
            iters.append(float(logs["cg_iterations"]))
    step = (time.perf_counter() - start) / args.steps
    it_mean = float(np.mean(iters)) if iters else 0.0
    hvps = 3 + 2 * it_mean if kind != "adam" else 0.0
    return step, it_mean, hvps


def time_our_hvp(args, jit, n=10):
    """(one mixed product Dxy v through both networks, forward-over-backward; per product of
    `n` linearized ones, its tangent-free part counted once)."""
    g = seed003.cifar_generator(latent_dim=LATENT, seed=1)
    d = seed003.cifar_discriminator(seed=2)
    real = tf.constant(np.random.default_rng(1).uniform(-1, 1, (args.batch, 32, 32, 3)),
                       tf.float32)
    z = tf.random.stateless_normal([args.batch, LATENT], [1, 2])
    gv = hvp.as_tf_variables(g.trainable_variables)
    dv = hvp.as_tf_variables(d.trainable_variables)
    loss = lambda: tf.reduce_mean(d(real, training=True)) - tf.reduce_mean(
        d(g(z, training=True), training=True))
    tangents = [tf.ones_like(v) * 1e-3 for v in dv]
    fn = tf.function(lambda: hvp.mixed_product(loss, gv, dv, tangents), jit_compile=jit)

    @tf.function(jit_compile=jit)
    def linearized():
        product = hvp.linearized_product(loss, gv, dv)[0]

        def body(k, acc):  # a different tangent each time, as in CG
            out = product([t * tf.cast(k + 1, t.dtype) for t in tangents])
            return k + 1, [a + o for a, o in zip(acc, out)]
        return tf.while_loop(lambda k, acc: k < n, body,
                             (0, [tf.zeros_like(v) for v in gv]))[1]

    def timed(f, repeat):
        f(), f()
        start = time.perf_counter()
        for _ in range(repeat):
            f()
        return (time.perf_counter() - start) / repeat

    return timed(fn, args.steps), timed(linearized, 2) / n


def time_peer(args):
    """cgds's ACGD (PyTorch) on the same pair; None when it is not installed."""
    try:
        import torch
        from torch import nn
        from CGDs import ACGD as PeerACGD  # the `cgds` distribution installs package CGDs
    except ImportError:
        return None
    torch.manual_seed(0)
    gen = nn.Sequential(
        nn.Linear(LATENT, 4 * 4 * 256), nn.BatchNorm1d(4 * 4 * 256), nn.ReLU(),
        nn.Unflatten(1, (256, 4, 4)),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())
    dis = nn.Sequential(
        nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1),
        nn.LeakyReLU(0.2), nn.Conv2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(),
        nn.Linear(4 * 4 * 256, 1))
    # cgds stops when |r|^2 < tol |b|^2 or |r|^2 < atol: squared, so the same relative residual
    # as ours (|r| <= tol |b|) is their tol**2.
    opt = PeerACGD(max_params=dis.parameters(), min_params=gen.parameters(), lr_max=1e-4,
                   lr_min=1e-4, tol=args.tol ** 2, atol=args.atol ** 2, collect_info=True)
    real = torch.rand(args.batch, 3, 32, 32) * 2 - 1

    def step():
        z = torch.randn(args.batch, LATENT)
        loss = dis(real).mean() - dis(gen(z)).mean()
        opt.zero_grad()
        opt.step(loss)

    step(), step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    step_time = (time.perf_counter() - start) / args.steps
    info = opt.get_info() if hasattr(opt, "get_info") else {}
    iters = float(info.get("iter_num", float("nan")))

    # One mixed product as cgds computes it inside a step: double backward through a gradient
    # graph built once (create_graph=True), so the forward pass is not repeated.
    z = torch.randn(args.batch, LATENT)
    g_params, d_params = list(gen.parameters()), list(dis.parameters())
    vec = [torch.full_like(p, 1e-3) for p in d_params]
    loss = dis(real).mean() - dis(gen(z)).mean()
    grad_d = torch.autograd.grad(loss, d_params, create_graph=True)
    dot = sum((a * b).sum() for a, b in zip(grad_d, vec))
    torch.autograd.grad(dot, g_params, retain_graph=True)
    start = time.perf_counter()
    for _ in range(args.steps):
        torch.autograd.grad(dot, g_params, retain_graph=True)
    hvp_time = (time.perf_counter() - start) / args.steps
    return step_time, iters, hvp_time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-20)
    p.add_argument("--max_iter", type=int, default=100)
    p.add_argument("--xla", choices=("both", "off", "on"), default="both")
    args = p.parse_args()
    print(f"seed-003 CIFAR-10 DCGAN pair, batch {args.batch}, CG tol {args.tol} "
          f"atol {args.atol} max_iter {args.max_iter}, {args.steps} timed steps, "
          f"{os.cpu_count()} CPUs")
    print(f"{'setting':<16}{'step ms':>10}{'vs Adam':>9}{'CG iters':>10}{'HVPs':>7}")
    ours = {}
    for jit in {"both": (False, True), "off": (False,), "on": (True,)}[args.xla]:
        adam = None
        for kind in ("adam", "cgd", "acgd") + (() if jit else ("acgd-fob",)):
            step, iters, hvps = time_ours(kind, args, jit)
            adam = adam or step
            ours[(kind, jit)] = step
            print(f"{kind + (' +XLA' if jit else ''):<16}{1e3 * step:>10.1f}"
                  f"{step / adam:>9.2f}{iters:>10.1f}{hvps:>7.1f}")
    fob_time, hvp_time = time_our_hvp(args, False)
    print(f"one mixed HVP (ours, no XLA): {1e3 * fob_time:.1f} ms forward-over-backward, "
          f"{1e3 * hvp_time:.1f} ms linearized (10 products, tangent-free part once)")
    peer = time_peer(args)
    if peer is None:
        print("peer: PyTorch cgds not installed (pip install -r "
              "benchmarks/requirements-peers.txt); skipped")
        return
    step, iters, peer_hvp = peer
    best = min(v for (kind, _), v in ours.items() if kind == "acgd")
    print(f"peer cgds ACGD: {1e3 * step:.1f} ms/step ({iters:.0f} CG iterations, last step), "
          f"{1e3 * peer_hvp:.1f} ms per mixed HVP")
    print(f"ratio ours/theirs: ACGD step {best / step:.2f} (target <= 0.5), "
          f"mixed HVP {hvp_time / peer_hvp:.2f}")


if __name__ == "__main__":
    main()
