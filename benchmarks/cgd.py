"""Step time of Adam, CGD and ACGD on seed 003's CIFAR-10 DCGAN pair (its Tables 4-5), batch 64,
measured side by side in one run, with and without XLA; and, when PyTorch and `cgds` are
installed (benchmarks/requirements-peers.txt), the PyTorch `cgds` ACGD on the same networks,
batch and CG tolerance, started from copies of our initial weights and fed our data and latents
(so both solve the same systems and need about the same CG iterations), timed in interleaved
repetitions.

    python benchmarks/cgd.py [--steps 5] [--reps 3] [--batch 64] [--tol 1e-6] [--xla both]

Random data and random-weight networks: nothing is downloaded. Prints one table; ratios are to
our Adam step of the same XLA setting, and ours / theirs for the peer. Our CGD / ACGD use
linearized products (the default); the row `acgd-fob` is ACGD with `linearize=False`, every
product a full forward-over-backward pass.
"""
import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_reg import GAN, optimizers, rng  # noqa: E402
from tfgan_reg.nets import seed003  # noqa: E402
from tfgan_reg.optimizers import hvp  # noqa: E402

LATENT = 128


def _our_hvps(iterations):
    """Mixed products of our CGD / ACGD step: the right-hand side's, the warm start's residual
    (2) and 2 per CG iteration."""
    return 3 + 2 * iterations


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
    hvps = _our_hvps(it_mean) if kind != "adam" else 0.0
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


def _torch_pair(g, d):
    """The same pair in PyTorch (NCHW), holding copies of our networks' weights, so both sides
    start from the same point; batch-norm epsilon is Keras's 1e-3."""
    import torch
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
    # Keras flattens a 4x4x256 map as (h, w, c), PyTorch as (c, h, w).
    perm = np.arange(4 * 4 * 256).reshape(4, 4, 256).transpose(2, 0, 1).ravel()

    def weights(model, kind):
        return [[w.numpy() for w in layer.weights] for layer in model.layers
                if isinstance(layer, kind)]

    (g_dense,), g_convt = (weights(g, keras.layers.Dense),
                           weights(g, keras.layers.Conv2DTranspose))
    d_conv, (d_dense,) = weights(d, keras.layers.Conv2D), weights(d, keras.layers.Dense)
    pairs = [(gen[0].weight, g_dense[0][:, perm].T), (gen[0].bias, g_dense[1][perm]),
             (dis[-1].weight, d_dense[0][perm].T), (dis[-1].bias, d_dense[1])]
    # Kernels: Keras [kh, kw, in, out] (transposed: [kh, kw, out, in]) -> PyTorch
    # [out, in, kh, kw] (transposed: [in, out, kh, kw]); the same permutation for both.
    for (kernel, bias), module in zip(g_convt + d_conv, (gen[4], gen[7], gen[10], dis[0],
                                                         dis[2], dis[4])):
        pairs += [(module.weight, kernel.transpose(3, 2, 0, 1)), (module.bias, bias)]
    with torch.no_grad():
        for param, value in pairs:
            param.copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return gen, dis


class _OurACGD:
    """Our ACGD step (linearized products, no XLA) through `GAN`'s train function."""

    def __init__(self, args, data):
        self.model = _model("acgd", args, False)
        self.model.make_train_function()
        self.it = iter(tf.data.Dataset.from_tensor_slices(data).batch(args.batch))
        self.iterations, self.losses = [], []

    def latents(self, step, batch):
        """The latents the joint step number `step` draws (the seed chain of `GAN.train_step`
        and `GAN._joint_step`)."""
        m = self.model
        seed = rng.fold(rng.fold(rng.as_seed(m.seed), step), m.n_disc)
        return m._latents(rng.fold(seed, rng.LATENT_G), batch).numpy()

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            logs = self.model.train_function(self.it)
            self.model.reset_metrics()
            self.iterations.append(float(logs["cg_iterations"]))
            self.losses.append(float(logs["g_loss"]))  # f before the update
        return (time.perf_counter() - start) / steps


class _PeerACGD:
    """cgds's ACGD (PyTorch) from our starting weights, on our data and latents."""

    def __init__(self, args, data, ours):
        import torch
        from CGDs import ACGD as PeerACGD  # the `cgds` distribution installs package CGDs
        self.torch = torch
        self.gen, self.dis = _torch_pair(ours.model.generator, ours.model.discriminator)
        # cgds stops when |r|^2 < tol |b|^2 or |r|^2 < atol: squared, so the same relative
        # residual as ours (|r| <= tol |b|) is their tol**2.
        self.opt = PeerACGD(max_params=self.dis.parameters(), min_params=self.gen.parameters(),
                            lr_max=1e-4, lr_min=1e-4, tol=args.tol ** 2, atol=args.atol ** 2,
                            collect_info=True)
        self.batches = [torch.from_numpy(np.ascontiguousarray(
            data[i:i + args.batch].transpose(0, 3, 1, 2))) for i in range(0, len(data), args.batch)]
        self.latents = [torch.from_numpy(ours.latents(k, args.batch))
                        for k in range(len(self.batches))]
        self.k, self.iterations, self.losses = 0, [], []

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            real, z = self.batches[self.k], self.latents[self.k]
            loss = self.dis(real).mean() - self.dis(self.gen(z)).mean()
            self.losses.append(float(loss.detach()))
            self.opt.zero_grad()
            self.opt.step(loss)
            self.iterations.append(float(self.opt.get_info()["iter_num"]))
            self.k += 1
        return (time.perf_counter() - start) / steps

    def hvp_time(self, args):
        """One mixed product as cgds computes it inside a step: double backward through a
        gradient graph built once (create_graph=True), so the forward pass is not repeated."""
        torch = self.torch
        g_params, d_params = list(self.gen.parameters()), list(self.dis.parameters())
        vec = [torch.full_like(p, 1e-3) for p in d_params]
        loss = self.dis(self.batches[0]).mean() - self.dis(self.gen(self.latents[0])).mean()
        grad_d = torch.autograd.grad(loss, d_params, create_graph=True)
        dot = sum((a * b).sum() for a, b in zip(grad_d, vec))
        torch.autograd.grad(dot, g_params, retain_graph=True)
        start = time.perf_counter()
        for _ in range(args.steps):
            torch.autograd.grad(dot, g_params, retain_graph=True)
        return (time.perf_counter() - start) / args.steps


def _peer_imports_safely():
    """Whether torch and cgds import after TensorFlow, tried in a child process first: a CUDA
    build of torch segfaults there (inside torch/_dynamo importing triton) and would take this
    process with it. Prints one line when not."""
    probe = subprocess.run([sys.executable, "-c", "import tensorflow, torch, CGDs"],
                           capture_output=True, text=True,
                           env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if probe.returncode == 0:
        return True
    if probe.returncode < 0:
        why = (f"importing torch after TensorFlow killed the process (signal "
               f"{-probe.returncode}); install the CPU build (benchmarks/requirements-peers.txt)")
    else:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        why = f"not importable here ({last})"
    print(f"PyTorch cgds peer skipped: {why}: pip install -r benchmarks/requirements-peers.txt")
    return False


def compare_with_peer(args, hvp_time):
    """Ours and cgds's ACGD from the same weights on the same data and latents, timed in
    interleaved repetitions; None when the peer is not installed."""
    if not _peer_imports_safely():
        return None
    import torch
    torch.set_num_threads(os.cpu_count())
    warm = 2
    data = np.random.default_rng(3).uniform(
        -1, 1, size=(args.batch * (warm + args.reps * args.steps), 32, 32, 3)).astype(np.float32)
    ours = _OurACGD(args, data)
    peer = _PeerACGD(args, data, ours)
    ours.run(warm), peer.run(warm)  # trace; both sides take the same steps
    times = {"ours": [], "peer": []}
    for _ in range(args.reps):
        times["ours"].append(ours.run(args.steps))
        times["peer"].append(peer.run(args.steps))
    step = {k: float(np.median(v)) for k, v in times.items()}
    f_gap = abs(ours.losses[0] - peer.losses[0])
    if f_gap > 1e-4 * (1 + abs(ours.losses[0])):
        print(f"WARNING: f differs at step 0 ({ours.losses[0]} vs {peer.losses[0]}): the two "
              f"sides do not start from the same point, so this is not like for like.")
    it_ours, it_peer = np.mean(ours.iterations[warm:]), np.mean(peer.iterations[warm:])
    peer_hvp = peer.hvp_time(args)
    print(f"ours vs peer cgds ACGD, same start, data and latents ({args.reps} x {args.steps} "
          f"interleaved steps after {warm}, median): f at step 0 {ours.losses[0]:.6f} vs "
          f"{peer.losses[0]:.6f} (gap {f_gap:.1e})")
    print(f"{'':<16}{'step ms':>10}{'CG iters':>10}{'HVPs':>7}{'ms/HVP':>8}")
    print(f"{'ours acgd':<16}{1e3 * step['ours']:>10.1f}{it_ours:>10.1f}{_our_hvps(it_ours):>7.1f}"
          f"{1e3 * hvp_time:>8.1f}")
    # cgds: both cross terms of the right-hand sides, the warm start's residual, 2 per CG
    # iteration (it counts the first from 1) and the other player's update.
    print(f"{'peer cgds acgd':<16}{1e3 * step['peer']:>10.1f}{it_peer:>10.1f}"
          f"{5 + 2 * it_peer:>7.1f}{1e3 * peer_hvp:>8.1f}")
    print(f"ratio ours/theirs: ACGD step {step['ours'] / step['peer']:.2f} (target <= 0.5), "
          f"mixed HVP {hvp_time / peer_hvp:.2f}")
    return step


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--reps", type=int, default=3,
                   help="interleaved repetitions of ours and the peer (median)")
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
    for jit in {"both": (False, True), "off": (False,), "on": (True,)}[args.xla]:
        adam = None
        for kind in ("adam", "cgd", "acgd") + (() if jit else ("acgd-fob",)):
            step, iters, hvps = time_ours(kind, args, jit)
            adam = adam or step
            print(f"{kind + (' +XLA' if jit else ''):<16}{1e3 * step:>10.1f}"
                  f"{step / adam:>9.2f}{iters:>10.1f}{hvps:>7.1f}")
    fob_time, hvp_time = time_our_hvp(args, False)
    print(f"one mixed HVP (ours, no XLA): {1e3 * fob_time:.1f} ms forward-over-backward, "
          f"{1e3 * hvp_time:.1f} ms linearized (10 products, tangent-free part once)")
    if compare_with_peer(args, hvp_time) is None:
        print("peer: PyTorch cgds not installed (pip install -r "
              "benchmarks/requirements-peers.txt); skipped")


if __name__ == "__main__":
    main()
