"""Step time of Adam, CGD and ACGD on the ICR paper's CIFAR-10 DCGAN pair (its Tables 4-5), batch
64, measured side by side in one run, with and without XLA; and the PyTorch `cgds` ACGD on the same
networks, batch and CG tolerance, started from copies of our initial weights and fed our data and
latents (so both solve the same systems and need about the same CG iterations), timed in interleaved
repetitions with our ACGD.

    python benchmarks/cgd.py [--steps 5] [--reps 3] [--batch 64] [--tol 1e-6] [--xla both]
        [--peer-python PATH]

The peer runs in its own process (benchmarks/peers/cgds_acgd.py under --peer-python, default
this Python; it never imports TensorFlow, next to which torch's CUDA wheels segfault), told
"run N steps" between our repetitions; weights, batches and latents reach it as npz files. A
peer that is missing or crashes costs one printed line (benchmarks/requirements-peers.txt
says what to install). Peak MB: the peer's is its own process's (VmHWM); ours is this whole
process's, after all the rows above it, so an upper bound for our ACGD alone.

Random data and random-weight networks: nothing is downloaded. Prints one table; ratios are to
our Adam step of the same XLA setting, and ours / theirs for the peer. Our CGD / ACGD use
linearized products (the default); the row `acgd-fob` is ACGD with `linearize=False`, every
product a full forward-over-backward pass. Float32 only: CGD and ACGD refuse mixed precision.
"""
import argparse
import json
import os
import sys
import tempfile
import time

from tfgan_reg import commands  # absl only

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
commands.quiet_tensorflow()  # before TensorFlow loads: its start-up as train.py has it

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_reg import GAN, optimizers, rng  # noqa: E402
from tfgan_reg.nets import icr  # noqa: E402
from tfgan_reg.optimizers import hvp  # noqa: E402

_PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")
sys.path.insert(0, _PEERS)
from workers import Worker, WorkerFailed, failure_line, peak_rss_mb  # noqa: E402

LATENT = 128


def _our_hvps(iterations):
    """Mixed products of our CGD / ACGD step: the right-hand side's, the warm start's residual
    (2) and 2 per CG iteration."""
    return 3 + 2 * iterations


def _data(batch, steps):
    x = np.random.default_rng(0).uniform(-1, 1, size=(batch * steps, 32, 32, 3))
    return tf.data.Dataset.from_tensor_slices(x.astype(np.float32)).batch(batch).repeat()


def _model(kind, args, jit):
    g = icr.cifar_generator(latent_dim=LATENT, seed=1)
    d = icr.cifar_discriminator(seed=2)
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
    g = icr.cifar_generator(latent_dim=LATENT, seed=1)
    d = icr.cifar_discriminator(seed=2)
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


def torch_weights(g, d):
    """Our initial weights in the PyTorch pair's layout (peers/cgds_acgd.py), keyed by its
    parameter names ("g.0.weight", ...); the batch-norm scales and offsets start at 1 and 0 on
    both sides and are left out."""
    # Keras flattens a 4x4x256 map as (h, w, c), PyTorch as (c, h, w).
    perm = np.arange(4 * 4 * 256).reshape(4, 4, 256).transpose(2, 0, 1).ravel()

    def weights(model, kind):
        return [[w.numpy() for w in layer.weights] for layer in model.layers
                if isinstance(layer, kind)]

    (g_dense,), g_convt = (weights(g, keras.layers.Dense),
                           weights(g, keras.layers.Conv2DTranspose))
    d_conv, (d_dense,) = weights(d, keras.layers.Conv2D), weights(d, keras.layers.Dense)
    out = {"g.0.weight": g_dense[0][:, perm].T, "g.0.bias": g_dense[1][perm],
           "d.7.weight": d_dense[0][perm].T, "d.7.bias": d_dense[1]}
    # Kernels: Keras [kh, kw, in, out] (transposed: [kh, kw, out, in]) -> PyTorch
    # [out, in, kh, kw] (transposed: [in, out, kh, kw]); the same permutation for both.
    for (kernel, bias), key in zip(g_convt + d_conv, ("g.4", "g.7", "g.10", "d.0", "d.2",
                                                      "d.4")):
        out[key + ".weight"], out[key + ".bias"] = kernel.transpose(3, 2, 0, 1), bias
    return {k: np.ascontiguousarray(v, np.float32) for k, v in out.items()}


class _OurACGD:
    """Our ACGD step (linearized products, no XLA) through `GAN`'s train function."""

    def __init__(self, args, data):
        self.model = _model("acgd", args, False)
        self.model.make_train_function()
        self.it = iter(tf.data.Dataset.from_tensor_slices(data).batch(args.batch))
        self.iterations, self.losses = [], []

    def latents(self, step, batch):
        """The latents the joint step number `step` draws (the seed chain of `GAN.train_step`
        and `steps.joint`)."""
        m = self.model
        seed = rng.fold(rng.fold(rng.as_seed(m.seed), step), 1)
        return m.game.latents(rng.fold(seed, rng.LATENT_G), batch).numpy()

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            logs = self.model.train_function(self.it)
            self.model.reset_metrics()
            self.iterations.append(float(logs["cg_iterations"]))
            self.losses.append(float(logs["g_loss"]))  # f before the update
        return (time.perf_counter() - start) / steps


def _start_peer(args, data, ours, tmp):
    """cgds's ACGD in its own process under --peer-python, from our starting weights, on our
    data and latents (npz files in `tmp`); None, after one printed line, if it fails."""
    n = len(data) // args.batch
    files = {"weights": os.path.join(tmp, "weights.npz"), "data": os.path.join(tmp, "data.npz")}
    np.savez(files["weights"], **torch_weights(ours.model.generator, ours.model.discriminator))
    np.savez(files["data"], real_nchw=data.reshape(n, args.batch, 32, 32, 3).transpose(
        0, 1, 4, 2, 3), latents=np.stack([ours.latents(k, args.batch) for k in range(n)]))
    spec = os.path.join(tmp, "peer.json")
    with open(spec, "w") as f:
        json.dump({**files, "lr": 1e-4, "tol": args.tol, "atol": args.atol,
                   "threads": os.cpu_count()}, f)
    peer = Worker("cgds ACGD", [args.peer_python, os.path.join(_PEERS, "cgds_acgd.py"), spec],
                  stderr_path=os.path.join(tmp, "peer.err"))
    try:
        peer.start()
        return peer
    except WorkerFailed as e:
        print(failure_line("PyTorch cgds ACGD", args.peer_python, e))
        peer.close()
        return None


def compare_with_peer(args, hvp_time):
    """Ours (in this process) and cgds's ACGD (in its own) from the same weights on the same
    data and latents, timed in interleaved repetitions; None when the peer could not be timed
    (one line says why; our ACGD row is still printed)."""
    warm = 2
    data = np.random.default_rng(3).uniform(
        -1, 1, size=(args.batch * (warm + args.reps * args.steps), 32, 32, 3)).astype(np.float32)
    ours = _OurACGD(args, data)
    times = {"ours": [], "peer": []}
    peer_losses, peer_iterations, peer_hvp, peer_rss = [], [], None, None
    with tempfile.TemporaryDirectory(prefix="cgd-peer-") as tmp:
        peer = _start_peer(args, data, ours, tmp)
        try:
            ours.run(warm)  # trace; both sides take the same steps
            if peer:
                answer = peer.call("run", steps=warm)
                peer_losses += answer["losses"]
                peer_iterations += answer["iterations"]
            for _ in range(args.reps):
                times["ours"].append(ours.run(args.steps))
                if peer:
                    answer = peer.call("run", steps=args.steps)
                    times["peer"].append(answer["seconds_per_step"])
                    peer_losses += answer["losses"]
                    peer_iterations += answer["iterations"]
            if peer:
                answer = peer.call("hvp", steps=args.steps)
                peer_hvp, peer_rss = answer["seconds"], answer["peak_rss_mb"]
        except WorkerFailed as e:
            print(failure_line("PyTorch cgds ACGD", args.peer_python, e))
            peer = None
        finally:
            if peer:
                peer.close()
    if not times["ours"]:
        times["ours"].append(ours.run(args.steps))
    step = {k: float(np.median(v)) for k, v in times.items() if v}
    it_ours = np.mean(ours.iterations[warm:])
    print(f"ours vs peer cgds ACGD, same start, data and latents ({args.reps} x {args.steps} "
          f"interleaved steps after {warm}, median; the peer in its own process)")
    print(f"{'':<16}{'step ms':>10}{'CG iters':>10}{'HVPs':>7}{'ms/HVP':>8}{'peak MB':>9}")
    print(f"{'ours acgd':<16}{1e3 * step['ours']:>10.1f}{it_ours:>10.1f}{_our_hvps(it_ours):>7.1f}"
          f"{1e3 * hvp_time:>8.1f}{peak_rss_mb():>9.0f}  (this whole process, all rows)")
    if peer_hvp is None:
        return None
    f_gap = abs(ours.losses[0] - peer_losses[0])
    if f_gap > 1e-4 * (1 + abs(ours.losses[0])):
        print(f"WARNING: f differs at step 0 ({ours.losses[0]} vs {peer_losses[0]}): the two "
              f"sides do not start from the same point, so this is not like for like.")
    it_peer = np.mean(peer_iterations[warm:])
    # cgds: both cross terms of the right-hand sides, the warm start's residual, 2 per CG
    # iteration (it counts the first from 1) and the other player's update.
    print(f"{'peer cgds acgd':<16}{1e3 * step['peer']:>10.1f}{it_peer:>10.1f}"
          f"{5 + 2 * it_peer:>7.1f}{1e3 * peer_hvp:>8.1f}{peer_rss:>9.0f}  (its own process)")
    print(f"f at step 0: ours {ours.losses[0]:.6f}, peer {peer_losses[0]:.6f} (gap {f_gap:.1e})")
    ratio = step["ours"] / step["peer"]
    print(f"ratio ours/theirs: ACGD step {ratio:.2f} (target <= 0.5) "
          f"{'PASS' if ratio <= 0.5 else 'MISS'}, mixed HVP {hvp_time / peer_hvp:.2f}")
    return step


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--reps", type=int, default=3,
                   help="interleaved repetitions of ours and the peer (median)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-20)
    p.add_argument("--max_iter", type=int, default=100)
    p.add_argument("--xla", choices=("both", "off", "on"), default="both")
    p.add_argument("--peer-python", default=sys.executable,
                   help="the Python that runs the cgds peer (one with torch and cgds: "
                        "pip install -r benchmarks/requirements-peers.txt)")
    args = p.parse_args(argv)
    print(f"ICR paper's CIFAR-10 DCGAN pair, batch {args.batch}, CG tol {args.tol} "
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
    compare_with_peer(args, hvp_time)


if __name__ == "__main__":
    main()
